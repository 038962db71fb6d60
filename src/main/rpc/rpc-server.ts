import type { Handlers } from '../../shared/contract.js';
import { dispatch } from '../../shared/dispatch.js';
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
      // The engine's own host: every call, including those that take local paths.
      void dispatch(opts.handlers, msg.name, msg.args, { role: 'admin', transport: 'local' }, progress).then(
        (outcome) => port.post({ kind: 'result', id: msg.id, outcome }),
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
