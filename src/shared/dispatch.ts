import {
  CONTRACT,
  isRequestName,
  type CallContext,
  type CallRole,
  type Handlers,
  type RequestName,
} from './contract.js';
import { toErrorInfo, type ErrorInfo } from './errors.js';
import type { CallOutcome } from './ipc.js';

/**
 * Where a call comes from. `http`: the REST listener (browser UI, scripts); `ipc`: the desktop
 * window through the main process; `local`: the engine's own host (the desktop's utility-process
 * RPC, the CLI) — which may also make the calls that take local paths.
 */
export type Transport = 'http' | 'ipc' | 'local';

export interface Caller {
  role: CallRole;
  transport: Transport;
}

/** A call that passed every check: a known name, allowed here, for this role, with parsed arguments. */
export interface CheckedCall {
  name: RequestName;
  args: unknown;
}

const fail = (error: ErrorInfo): CallOutcome<never> => ({ ok: false, error });

/** The one wording of argument errors, on every transport: `vcenters.add: url: Required; …`. */
export function invalidArgs(
  name: string,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): ErrorInfo {
  const first = issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'arguments'}: ${i.message}`)
    .join('; ');
  return { code: 'INVALID_INPUT', message: `${name}: ${first}` };
}

/**
 * The checks every transport makes before a call reaches a handler: the name exists and may travel
 * this way (local-path calls never over HTTP or from the window), the caller's role suffices, and
 * the arguments parse with the contract's schema.
 */
export function checkCall(name: unknown, args: unknown, caller: Caller): CallOutcome<CheckedCall> {
  if (typeof name !== 'string' || !isRequestName(name))
    return fail({ code: 'NOT_FOUND', message: `no request "${String(name).slice(0, 100)}"` });
  const entry = CONTRACT[name];
  if (caller.transport !== 'local' && !entry.http)
    return fail({
      code: 'NOT_FOUND',
      message: `${name} takes local paths: only the desktop app and the CLI make it, never ${caller.transport === 'http' ? 'HTTP' : 'the window'}`,
    });
  if (entry.role === 'admin' && caller.role !== 'admin')
    return fail({ code: 'PERMISSION_DENIED', message: `${name} needs an admin account` });
  const parsed = entry.args.safeParse(args ?? {});
  if (!parsed.success) return fail(invalidArgs(name, parsed.error.issues));
  return { ok: true, value: { name, args: parsed.data } };
}

/**
 * Checks a call (`checkCall`) and runs its handler. Failures come back as `{ok: false, error}` with
 * the same code whichever transport carried the call.
 */
export async function dispatch(
  handlers: Handlers,
  name: unknown,
  args: unknown,
  caller: Caller,
  progress?: (payload: unknown) => void,
): Promise<CallOutcome<unknown>> {
  const checked = checkCall(name, args, caller);
  if (!checked.ok) return checked;
  try {
    // The table guarantees that handlers[name] takes exactly what CONTRACT[name].args produces.
    const handler = handlers[checked.value.name] as (
      a: unknown,
      ctx: CallContext<RequestName>,
    ) => Promise<unknown>;
    return { ok: true, value: await handler(checked.value.args, progress ? { progress } : {}) };
  } catch (err) {
    return fail(toErrorInfo(err));
  }
}
