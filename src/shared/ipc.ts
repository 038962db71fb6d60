import type { ContractResults, ExportFileFormat, RequestArgs, RequestName } from './contract.js';
import type { ErrorInfo } from './errors.js';
import type { EngineEvents } from './events.js';

export type EventName = keyof EngineEvents;

/** Every engine event name, for code that must forward or accept them by value (relay, preload). */
export const ENGINE_EVENT_NAMES = [
  'sync:progress',
  'inventory:changed',
  'scheduler:state',
  'sources:refreshed',
  'live:state',
] as const;
// Adding an event to EngineEvents without listing it here fails to compile.
const _allEventsListed: [Exclude<EventName, (typeof ENGINE_EVENT_NAMES)[number]>] extends [never]
  ? true
  : never = true;
void _allEventsListed;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (ENGINE_EVENT_NAMES as readonly string[]).includes(name);
}

/**
 * The renderer's one API object, typed by the contract: `window.vminer` in Electron (a thin relay
 * to the engine's utility process), an HTTP/SSE client when `vminer serve` serves the same UI.
 */
export interface VminerApi {
  call<K extends RequestName>(name: K, args: RequestArgs<K>): Promise<ContractResults[K]>;
  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void;
}

/** What a grid or an answer exports: the same body as `POST /api/export/*`. */
export interface ExportSpec {
  entity?: RequestArgs<'export.toFile'>['entity'];
  filters?: RequestArgs<'export.toFile'>['filters'];
  query?: string;
  columns?: string[];
  sort?: RequestArgs<'export.toFile'>['sort'];
  /** File name offered in the save dialog, without folder. */
  suggestedName?: string;
  /** Desktop: the format chosen before the save dialog, which then offers only its file type. */
  format?: 'csv' | 'json' | 'xlsx' | 'rvtools';
}

export interface SaveExportResult {
  path: string;
  rows: number;
  bytes: number | null;
}

/** Desktop-only services of the Electron shell (absent in a browser). */
export interface DesktopApi {
  /** Native save dialog (one file type when `format` is given; the name is written as confirmed), then the engine writes the file. `null` when cancelled. */
  saveExport(spec: ExportSpec): Promise<SaveExportResult | null>;
  showInFolder(path: string): Promise<void>;
  /** Opens an http(s) URL in the default browser; anything else is refused. */
  openExternal(url: string): Promise<void>;
  /** Help menu actions, also reachable from the UI. */
  openLogsFolder(): Promise<void>;
  copyDiagnostics(): Promise<void>;
  /** The shell's own preferences (electron-store, not the engine's settings). */
  getPreferences(): Promise<ShellPreferences>;
  setPreferences(patch: Partial<ShellPreferences>): Promise<ShellPreferences>;
  /** Subscribes to a shell event (export progress, engine restarts, menu navigation); returns the unsubscribe function. */
  on<E extends DesktopEventName>(event: E, listener: (payload: DesktopEvents[E]) => void): () => void;
}

/** Window and tray preferences of the desktop shell. */
export interface ShellPreferences {
  /** Closing the window keeps vMiner (and the schedule) running in the tray. */
  closeToTray: boolean;
  /** Start vMiner when the user logs in (hidden in the tray when `closeToTray` is on). */
  startAtLogin: boolean;
}

/** The engine's utility process as the shell sees it. */
export type EngineHostState =
  | { state: 'starting' }
  | { state: 'ready' }
  /** It died; the shell starts it again after `retryInMs`. Calls made meanwhile fail with INTERNAL. */
  | { state: 'restarting'; attempt: number; retryInMs: number; reason: string }
  /** It died too often in a row: the shell stopped trying (the Help menu opens the logs). */
  | { state: 'failed'; reason: string };

/**
 * One export started from the save dialog, as it goes: `writing` repeatedly (rows written so far;
 * `total` once the engine has counted them, null before), then `done` or `failed`.
 */
export type ExportProgress =
  | {
      id: string;
      phase: 'writing';
      path: string;
      format: ExportFileFormat;
      rows: number;
      total: number | null;
    }
  | { id: string; phase: 'done'; path: string; rows: number; bytes: number | null }
  | { id: string; phase: 'failed'; path: string; error: ErrorInfo };

/** How loud a notice from the engine's host or the shell is. */
export type NoticeLevel = 'info' | 'warning' | 'error';

/** Events the shell (not the engine) sends to the renderer. */
export interface DesktopEvents {
  'export:progress': ExportProgress;
  'engine:state': EngineHostState;
  /** A warning the user should see, e.g. the REST listener bound to a non-loopback address. */
  'shell:notice': { level: NoticeLevel; message: string };
  /** A menu or tray item asked for a screen. */
  navigate: { to: NavigationTarget };
}
export type DesktopEventName = keyof DesktopEvents;
export const NAVIGATION_TARGETS = ['chat', 'vms', 'vcenters', 'settings'] as const;
export type NavigationTarget = (typeof NAVIGATION_TARGETS)[number];

/** The desktop services by name, as they cross `IPC.desktop` (`invoke(IPC.desktop, op, arg)`). */
export interface DesktopOps {
  saveExport: { arg: ExportSpec; result: SaveExportResult | null };
  showInFolder: { arg: string; result: void };
  openExternal: { arg: string; result: void };
  openLogsFolder: { arg: undefined; result: void };
  copyDiagnostics: { arg: undefined; result: void };
  getPreferences: { arg: undefined; result: ShellPreferences };
  setPreferences: { arg: Partial<ShellPreferences>; result: ShellPreferences };
}
export type DesktopOp = keyof DesktopOps;

/** `window.vminer` as the preload script exposes it. */
export interface VminerBridge extends VminerApi {
  /**
   * The same call, answering the `CallOutcome` instead of throwing. contextBridge copies a
   * rejected Error with its message only (custom properties such as `code` are dropped), so a
   * renderer that branches on error codes uses this, or `apiFromBridge` below.
   */
  invoke<K extends RequestName>(name: K, args: RequestArgs<K>): Promise<CallOutcome<ContractResults[K]>>;
  desktop: DesktopApi;
  versions: { app: string; electron: string; chrome: string; node: string };
}

/** IPC channel names: one generic call channel, one event channel, a few desktop services. */
export const IPC = {
  call: 'vminer:call',
  event: 'vminer:event',
  desktop: 'vminer:desktop',
  desktopEvent: 'vminer:desktop-event',
} as const;

/** What crosses IPC for a call: errors keep their code (Electron would flatten a thrown Error). */
export type CallOutcome<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Rebuilds an error with its code on the calling side. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorInfo['code'] | 'HTTP' | 'UNAUTHORIZED' | 'FORBIDDEN',
    message: string,
  ) {
    super(message);
  }
}

/** The renderer's API over the Electron bridge, with errors rebuilt as `ApiError` (code kept). */
export function apiFromBridge(bridge: VminerBridge): VminerApi {
  return {
    async call(name, args) {
      const outcome = await bridge.invoke(name, args);
      if (outcome.ok) return outcome.value;
      throw new ApiError(outcome.error.code, outcome.error.message);
    },
    on: (event, listener) => bridge.on(event, listener),
  };
}
