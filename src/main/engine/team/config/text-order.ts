/**
 * SQLite's text rules, for answers from the in-memory mirror: `NOCASE` folds ASCII letters only
 * (PostgreSQL's lower() in a "C" database does the same), and `ORDER BY name` compares bytes of
 * UTF-8, which is the order of code points.
 */

/** The ASCII-folded form two NOCASE-equal names share. */
export function foldAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** SQLite's (binary) text order. */
export function compareBinary(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** `rows` sorted by their name in SQLite's order (a new array). */
export function byName<T extends { name: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => compareBinary(a.name, b.name));
}
