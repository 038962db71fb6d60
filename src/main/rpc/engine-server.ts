import {
  CONTRACT,
  isRequestName,
  type CallContext,
  type Handlers,
  type RequestName,
} from '../../shared/contract.js';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import { ENGINE_EVENT_NAMES, type CallOutcome } from '../../shared/ipc.js';
import type { EventBus } from '../engine/events.js';
import type { ControlOp, FromEngine, ToEngine } from './protocol.js';
import type { RpcPort } from './port.js';

export interface ContractServerOptions {
  handlers: Handlers;
  bus: Pick<EventBus, 'on'>;
  control: (op: ControlOp) => Promise<void>;
}

/**
 * Runs one contract call: the name is checked and the arguments parsed with the contract's
 * schema. `progress` hears the call's progress reports, if it makes any.
 */
export async function runCall(
  handlers: Handlers,
  name: string,
  args: unknown,
  progress?: (payload: unknown) => void,
): Promise<CallOutcome<unknown>> {
  if (!isRequestName(name)) return fail({ code: 'INVALID_INPUT', message: `unknown request "${name}"` });
  const parsed = CONTRACT[name].args.safeParse(args ?? {});
  if (!parsed.success) return fail(invalidArgs(name, parsed.error.issues));
  try {
    // The table guarantees that handlers[name] takes exactly what CONTRACT[name].args produces.
    const handler = handlers[name] as (a: unknown, ctx: CallContext<RequestName>) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data, progress ? { progress } : {}) };
  } catch (err) {
    return fail(toErrorInfo(err));
  }
}

export function invalidArgs(
  name: RequestName,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): ErrorInfo {
  const first = issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'arguments'}: ${i.message}`)
    .join('; ');
  return { code: 'INVALID_INPUT', message: `${name}: ${first}` };
}

const fail = (error: ErrorInfo): CallOutcome<never> => ({ ok: false, error });

/**
 * The engine side of the utility-process RPC: answers contract calls from the handlers, forwards
 * every engine event, and hands lifecycle controls (resume, shutdown) to the host.
 */
export function serveContract(port: RpcPort<ToEngine, FromEngine>, opts: ContractServerOptions): () => void {
  const offEvents = ENGINE_EVENT_NAMES.map((name) =>
    opts.bus.on(name, (payload) => port.post({ kind: 'event', name, payload })),
  );
  const offMessages = port.onMessage((msg) => {
    if (msg.kind === 'call') {
      const progress = msg.progress
        ? (payload: unknown): void => port.post({ kind: 'progress', id: msg.id, payload })
        : undefined;
      void runCall(opts.handlers, msg.name, msg.args, progress).then((outcome) =>
        port.post({ kind: 'result', id: msg.id, outcome }),
      );
    } else if (msg.kind === 'control') {
      opts
        .control(msg.op)
        .then(
          (): CallOutcome<unknown> => ({ ok: true, value: null }),
          (err: unknown): CallOutcome<unknown> => fail(toErrorInfo(err)),
        )
        .then((outcome) => port.post({ kind: 'result', id: msg.id, outcome }))
        .catch(() => {
          /* the port is gone: nobody is waiting for the answer */
        });
    }
  });
  return () => {
    offMessages();
    for (const off of offEvents) off();
  };
}
