import { CONTRACT, type RequestName } from '../../shared/contract.js';
import { checkCall } from '../../shared/dispatch.js';
import { IPC, type CallOutcome } from '../../shared/ipc.js';
import type { EngineCaller, ProcessSupervisor } from './process-supervisor.js';
import type { IpcEventLike } from './security.js';

/**
 * The rule: the renderer may call exactly what the browser UI may call over HTTP. Entries that
 * take local paths (`export.toFile`) are reached only through the main process's own services
 * (the save dialog picks the path), so a compromised renderer cannot write files where it likes.
 */
export function ipcAllowed(name: RequestName): boolean {
  return CONTRACT[name].http;
}

/** The names `ipcAllowed` lets through, as a type (tests enumerate them exhaustively). */
export type IpcRequestName = {
  [K in RequestName]: (typeof CONTRACT)[K]['http'] extends true ? K : never;
}[RequestName];

export const IPC_REQUESTS = (Object.keys(CONTRACT) as RequestName[]).filter(ipcAllowed) as IpcRequestName[];

/**
 * Checks one renderer call (the same `checkCall` as every transport: name, carried over IPC, zod
 * arguments) and relays it to the engine. The person at the desktop owns the data folder: admin.
 */
export async function relayCall(
  engine: EngineCaller,
  name: unknown,
  args: unknown,
): Promise<CallOutcome<unknown>> {
  const checked = checkCall(name, args, { role: 'admin', transport: 'ipc' });
  if (!checked.ok) return checked;
  return engine.call(checked.value.name, checked.value.args);
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export const untrusted: CallOutcome<never> = {
  ok: false,
  error: { code: 'PERMISSION_DENIED', message: 'IPC from an unexpected frame was refused' },
};

/** One handler for every contract call: sender checked, arguments validated, then relayed. */
export function registerContractRelay(opts: {
  ipcMain: IpcMainLike;
  isTrusted: (event: IpcEventLike) => boolean;
  engine: EngineCaller;
  refused?: (what: string) => void;
}): () => void {
  opts.ipcMain.handle(IPC.call, (event, name, args) => {
    if (!opts.isTrusted(event)) {
      opts.refused?.(`contract call ${String(name).slice(0, 100)} from an untrusted frame`);
      return untrusted;
    }
    return relayCall(opts.engine, name, args);
  });
  return () => opts.ipcMain.removeHandler(IPC.call);
}

/** Forwards every engine event to the windows (`IPC.event`, name, payload). */
export function forwardEngineEvents(
  source: Pick<ProcessSupervisor, 'onEvent'>,
  send: (channel: string, name: string, payload: unknown) => void,
): () => void {
  return source.onEvent((name, payload) => send(IPC.event, name, payload));
}
