/**
 * The change history part of `npm run bench:query`: 1M seeded changes (180 days, 100 vCenters,
 * 100k objects) in a cache of their own, read the ways people read them — "what changed in the
 * last 24 h" (first page and the counts per kind) and one object's history (by name, by key).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/main/engine/db/database.js';
import { ChangesReader } from '../../src/main/engine/db/history/changes-read.js';
import type { ChangesRequest } from '../../src/shared/changes.js';
import { insertChanges, randomChanges } from '../../src/testing/changes-seed.js';
import { mulberry32 } from '../../src/testing/random.js';

export const HISTORY_TARGET = { last24hP95: 50, objectP95: 10 } as const;

export interface HistoryCase {
  name: string;
  n: number;
  rows: number;
  p50: number;
  p95: number;
  max: number;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function historyBench(opts: { rows: number; iterations: number; log: (s: string) => void }): {
  seedMs: number;
  cases: HistoryCase[];
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-hbench-'));
  const opened = openDatabase(dir);
  try {
    const now = new Date();
    const t0 = performance.now();
    // In chunks: the generated rows of a million changes at once would be the benchmark's memory peak.
    const chunk = 100_000;
    for (let done = 0; done < opts.rows; done += chunk) {
      const n = Math.min(chunk, opts.rows - done);
      const span = 180 * (n / opts.rows);
      const end = new Date(now.getTime() - 180 * 86_400_000 * (1 - (done + n) / opts.rows));
      insertChanges(
        opened.sqlite,
        randomChanges({ n, now: end, days: span, seed: 100 + done, vcenters: 100, objects: 1000 }),
      );
    }
    opened.sqlite.exec('ANALYZE');
    const seedMs = performance.now() - t0;
    opts.log(
      `History: ${opts.rows.toLocaleString('en-US')} changes seeded in ${(seedMs / 1000).toFixed(1)} s`,
    );
    const reader = new ChangesReader(opened.sqlite);
    const rnd = mulberry32(7);
    const objects = opened.sqlite
      .prepare('SELECT vcenter_id AS vcenterId, moid, object_name AS name FROM changes WHERE id % 997 = 0')
      .all() as { vcenterId: number; moid: string; name: string }[];
    const pick = (): (typeof objects)[number] => objects[Math.floor(rnd() * objects.length)]!;
    const run = (name: string, req: () => ChangesRequest): HistoryCase => {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < opts.iterations + 5; i++) {
        const r = req();
        const t = performance.now();
        const p = reader.page(r);
        const dt = performance.now() - t;
        if (i >= 5) times.push(dt); // the first few warm the statement cache and the pages
        rows = Object.values(p.counts ?? {}).reduce((a, b) => a + b, 0) || p.items.length;
      }
      return {
        name,
        n: times.length,
        rows,
        p50: pct(times, 50),
        p95: pct(times, 95),
        max: Math.max(...times),
      };
    };
    const cases = [
      run('last 24 h, first page + counts per kind', () => ({ since: '24h', limit: 100 })),
      run('last 24 h, page 2 (cursor, no counts)', () => {
        const first = reader.page({ since: '24h', limit: 100, counts: false });
        return { since: '24h', limit: 100, counts: false, cursor: first.nextCursor ?? undefined };
      }),
      run('last 7 d, powerState only, first page + counts', () => ({
        since: '7d',
        field: 'powerState',
        limit: 100,
      })),
      run("one object's history by name (+ counts)", () => ({ object: pick().name, limit: 100 })),
      run("one object's history by key (+ counts)", () => {
        const o = pick();
        return { vcenterId: o.vcenterId, moid: o.moid, limit: 100 };
      }),
    ];
    return { seedMs, cases };
  } finally {
    opened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
