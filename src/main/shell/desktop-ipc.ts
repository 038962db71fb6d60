import { z } from 'zod';
import { toErrorInfo, VminerError } from '../../shared/errors.js';
import { IPC, type CallOutcome, type DesktopOp, type DesktopOps } from '../../shared/ipc.js';
import type { IpcMainLike } from './ipc-relay.js';
import { untrusted } from './ipc-relay.js';
import { PreferencesPatchSchema } from './prefs.js';
import { ExportSpecSchema } from './save-export.js';
import { safeExternalUrl, type IpcEventLike } from './security.js';

/** The desktop services' implementations (each takes its already validated argument). */
export type DesktopServices = {
  [K in DesktopOp]: (arg: DesktopOps[K]['arg']) => Promise<DesktopOps[K]['result']>;
};

const none = z
  .undefined()
  .or(z.null())
  .transform(() => undefined);
const ARGS: { [K in DesktopOp]: z.ZodType<DesktopOps[K]['arg'], unknown> } = {
  saveExport: ExportSpecSchema,
  showInFolder: z.string().min(1).max(4096),
  openExternal: z.string().min(1).max(2048),
  openLogsFolder: none,
  copyDiagnostics: none,
  getPreferences: none,
  setPreferences: PreferencesPatchSchema,
};

const isOp = (op: unknown): op is DesktopOp =>
  typeof op === 'string' && Object.prototype.hasOwnProperty.call(ARGS, op);

/** Validates one desktop request and runs it; errors come back as a coded outcome. */
export async function runDesktopOp(
  services: DesktopServices,
  op: unknown,
  arg: unknown,
): Promise<CallOutcome<unknown>> {
  if (!isOp(op))
    return {
      ok: false,
      error: { code: 'INVALID_INPUT', message: `unknown desktop service "${String(op).slice(0, 100)}"` },
    };
  const parsed = ARGS[op].safeParse(arg);
  if (!parsed.success)
    return {
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: `${op}: ${parsed.error.issues[0]?.message ?? 'invalid argument'}`,
      },
    };
  try {
    const run = services[op] as (a: unknown) => Promise<unknown>;
    const value = await run(parsed.data);
    return { ok: true, value: value ?? null };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}

export function registerDesktopServices(opts: {
  ipcMain: IpcMainLike;
  isTrusted: (event: IpcEventLike) => boolean;
  services: DesktopServices;
  refused?: (what: string) => void;
}): () => void {
  opts.ipcMain.handle(IPC.desktop, (event, op, arg) => {
    if (!opts.isTrusted(event)) {
      opts.refused?.(`desktop service ${String(op).slice(0, 100)} from an untrusted frame`);
      return untrusted;
    }
    return runDesktopOp(opts.services, op, arg);
  });
  return () => opts.ipcMain.removeHandler(IPC.desktop);
}

/** `openExternal` for the renderer: parsed http(s) URLs only. */
export async function openExternalChecked(raw: string, open: (url: string) => Promise<void>): Promise<void> {
  const url = safeExternalUrl(raw);
  if (!url) throw new VminerError('PERMISSION_DENIED', 'only http and https links open outside vMiner');
  await open(url);
}

/** "Show in folder" for files this session exported, nothing else. */
export async function showInFolderChecked(
  file: string,
  written: ReadonlySet<string>,
  show: (file: string) => void,
): Promise<void> {
  if (!written.has(file))
    throw new VminerError('PERMISSION_DENIED', 'only files vMiner exported can be shown');
  show(file);
}
