/**
 * A message port as the RPC code needs it. The utility process's `parentPort`, the main side's
 * `UtilityProcess` and a `worker_threads` MessagePort (tests) all fit through an adapter.
 */
export interface RpcPort<In, Out> {
  post(message: Out): void;
  /** Returns the unsubscribe function. */
  onMessage(listener: (message: In) => void): () => void;
}

interface NodeStylePort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
}

/** A `worker_threads` MessagePort, or Electron's `UtilityProcess` (both deliver the data itself). */
export function fromNodePort<In, Out>(
  port: NodeStylePort,
  accept: (v: unknown) => v is In,
): RpcPort<In, Out> {
  return {
    post: (m) => port.postMessage(m),
    onMessage(listener) {
      const l = (data: unknown): void => {
        if (accept(data)) listener(data);
      };
      port.on('message', l);
      return () => void port.off('message', l);
    },
  };
}

/** Electron's `process.parentPort` inside a utility process (delivers `{ data }` events). */
export interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  off(event: 'message', listener: (e: { data: unknown }) => void): unknown;
}

export function fromParentPort<In, Out>(
  port: ParentPortLike,
  accept: (v: unknown) => v is In,
): RpcPort<In, Out> {
  return {
    post: (m) => port.postMessage(m),
    onMessage(listener) {
      const l = (e: { data: unknown }): void => {
        if (accept(e.data)) listener(e.data);
      };
      port.on('message', l);
      return () => void port.off('message', l);
    },
  };
}
