/** A result a synchronous back end (SQLite) gives at once and an asynchronous one (PostgreSQL) as a promise. */
export type MaybePromise<T> = T | Promise<T>;

/** `f(v)` now when `v` is a plain value, after it resolves when it is a promise: SQLite stays synchronous. */
export function andThen<T, R>(v: MaybePromise<T>, f: (value: T) => R): MaybePromise<R> {
  return v instanceof Promise ? v.then(f) : f(v);
}
