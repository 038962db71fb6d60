/**
 * `rec[key]` for a key the record itself has, never one it inherits: a word typed by a user
 * ("constructor", "__proto__", "toString") must not find `Object.prototype`'s members.
 */
export function own<V>(rec: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/**
 * A lookup table without a prototype, for tables indexed by words people type: `table[word]` is
 * only ever one of its own entries.
 */
export function dict<V>(entries: Readonly<Record<string, V>>): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, entries);
}
