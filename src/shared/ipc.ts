import type { ContractResults, RequestArgs, RequestName } from './contract.js';
import type { ErrorInfo } from './errors.js';
import type { EngineEvents } from './events.js';

export type EventName = keyof EngineEvents;

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
}

export interface SaveExportResult {
  path: string;
  rows: number;
  bytes: number | null;
}

/** Desktop-only services of the Electron shell (absent in a browser). */
export interface DesktopApi {
  /** Native save dialog (format from the chosen file type), then the engine writes the file. `null` when cancelled. */
  saveExport(spec: ExportSpec): Promise<SaveExportResult | null>;
  showInFolder(path: string): Promise<void>;
  /** Opens an http(s) URL in the default browser; anything else is refused. */
  openExternal(url: string): Promise<void>;
  /** Help menu actions, also reachable from the UI. */
  openLogsFolder(): Promise<void>;
  copyDiagnostics(): Promise<void>;
}

/** `window.vminer` as the preload script exposes it. */
export interface VminerBridge extends VminerApi {
  desktop: DesktopApi;
  versions: { app: string; electron: string; chrome: string; node: string };
}

/** IPC channel names: one generic call channel, one event channel, a few desktop services. */
export const IPC = {
  call: 'vminer:call',
  event: 'vminer:event',
  desktop: 'vminer:desktop',
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
