import type { NoticeLevel } from '../../shared/ipc.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { CallOutcome, EventName } from '../../shared/ipc.js';

/** What the main process tells the engine host when it starts it. */
export interface HostConfig {
  dataDir: string;
  /** better-sqlite3 built for Electron (kept beside the Node build); absent: the module's own build. */
  nativeBinding?: string;
  /** Shown in the REST listener's OpenAPI document. */
  version: string;
}

export type ControlOp = 'resume' | 'shutdown';

/** Main process → engine host. */
export type ToEngine =
  | { kind: 'init'; config: HostConfig }
  /** `progress`: the caller listens, so the engine sends the call's `progress` messages. */
  | { kind: 'call'; id: number; name: string; args: unknown; progress?: boolean }
  | { kind: 'control'; id: number; op: ControlOp };

export type { NoticeLevel };

/** Engine host → main process. */
export type FromEngine =
  | { kind: 'ready'; dataDir: string; logFile: string }
  /** The engine could not open (locked data folder, broken database, wrong native build). */
  | { kind: 'fatal'; error: ErrorInfo }
  | { kind: 'result'; id: number; outcome: CallOutcome<unknown> }
  /** How far call `id` has got (see `ContractProgress`); always before its `result`. */
  | { kind: 'progress'; id: number; payload: unknown }
  | { kind: 'event'; name: EventName; payload: unknown }
  | { kind: 'notice'; level: NoticeLevel; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function isToEngine(v: unknown): v is ToEngine {
  if (!isObject(v)) return false;
  switch (v['kind']) {
    case 'init':
      return isObject(v['config']) && typeof v['config']['dataDir'] === 'string';
    case 'call':
      return typeof v['id'] === 'number' && typeof v['name'] === 'string';
    case 'control':
      return typeof v['id'] === 'number' && (v['op'] === 'resume' || v['op'] === 'shutdown');
    default:
      return false;
  }
}

export function isFromEngine(v: unknown): v is FromEngine {
  if (!isObject(v)) return false;
  switch (v['kind']) {
    case 'ready':
      return typeof v['dataDir'] === 'string';
    case 'fatal':
      return isObject(v['error']);
    case 'result':
      return typeof v['id'] === 'number' && isObject(v['outcome']);
    case 'progress':
      return typeof v['id'] === 'number';
    case 'event':
      return typeof v['name'] === 'string';
    case 'notice':
      return typeof v['message'] === 'string';
    default:
      return false;
  }
}
