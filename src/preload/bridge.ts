import type { ContractResults, RequestArgs, RequestName } from '../shared/contract.js';
import {
  ApiError,
  IPC,
  isEventName,
  type CallOutcome,
  type DesktopApi,
  type DesktopEventName,
  type DesktopEvents,
  type DesktopOp,
  type DesktopOps,
  type VminerBridge,
} from '../shared/ipc.js';

/** The part of `ipcRenderer` the bridge uses (passed in, so the bridge is testable without Electron). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const DESKTOP_EVENTS: readonly DesktopEventName[] = [
  'export:progress',
  'engine:state',
  'shell:notice',
  'navigate',
];

/** Fans one IPC channel out to per-name listeners; `on` returns the unsubscribe function. */
function fanOut<N extends string>(
  ipc: IpcRendererLike,
  channel: string,
  accept: (name: unknown) => name is N,
): (name: N, listener: (payload: never) => void) => () => void {
  const listeners = new Map<N, Set<(payload: unknown) => void>>();
  ipc.on(channel, (_e, name, payload) => {
    if (!accept(name)) return;
    for (const l of listeners.get(name) ?? []) {
      try {
        l(payload);
      } catch (err) {
        console.error(`vMiner: a listener for ${name} failed`, err);
      }
    }
  });
  return (name, listener) => {
    if (!accept(name)) throw new Error(`unknown event "${String(name)}"`);
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set);
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => void set.delete(l);
  };
}

async function unwrap<T>(p: Promise<unknown>): Promise<T> {
  const outcome = (await p) as CallOutcome<T>;
  if (outcome.ok) return outcome.value;
  // contextBridge keeps only the message of a rejected Error; `invoke` keeps the code.
  throw new ApiError(outcome.error.code, outcome.error.message);
}

/** `window.vminer`: the contract over one generic IPC channel, plus the desktop services. */
export function createBridge(ipc: IpcRendererLike, versions: VminerBridge['versions']): VminerBridge {
  const onEngine = fanOut(ipc, IPC.event, isEventName);
  const onDesktop = fanOut(ipc, IPC.desktopEvent, (n): n is DesktopEventName =>
    DESKTOP_EVENTS.includes(n as DesktopEventName),
  );
  const desktop = <K extends DesktopOp>(
    op: K,
    arg?: DesktopOps[K]['arg'],
  ): Promise<DesktopOps[K]['result']> => unwrap(ipc.invoke(IPC.desktop, op, arg));
  const desktopApi: DesktopApi = {
    saveExport: (spec) => desktop('saveExport', spec),
    showInFolder: (path) => desktop('showInFolder', path),
    openExternal: (url) => desktop('openExternal', url),
    openLogsFolder: () => desktop('openLogsFolder'),
    copyDiagnostics: () => desktop('copyDiagnostics'),
    getPreferences: () => desktop('getPreferences'),
    setPreferences: (patch) => desktop('setPreferences', patch),
    on: <E extends DesktopEventName>(event: E, listener: (payload: DesktopEvents[E]) => void) =>
      onDesktop(event, listener as (payload: never) => void),
  };
  return {
    call: <K extends RequestName>(name: K, args: RequestArgs<K>) =>
      unwrap<ContractResults[K]>(ipc.invoke(IPC.call, name, args)),
    invoke: <K extends RequestName>(name: K, args: RequestArgs<K>) =>
      ipc.invoke(IPC.call, name, args) as Promise<CallOutcome<ContractResults[K]>>,
    on: (event, listener) => onEngine(event, listener as (payload: never) => void),
    desktop: desktopApi,
    versions,
  } satisfies VminerBridge;
}

/** The app version arrives as `--vminer-version=…` in the renderer's argv (webPreferences.additionalArguments). */
export function versionFromArgv(argv: readonly string[]): string {
  const arg = argv.find((a) => a.startsWith('--vminer-version='));
  return arg ? arg.slice('--vminer-version='.length) : 'unknown';
}
