/**
 * The query engine on PostgreSQL beside SQLite (issue 18): the generated cache of `bench:query`
 * (100k VMs, 5k hosts, 2k datastores, 100 vCenters) copied into a throwaway PostgreSQL on loopback,
 * then the same questions and list pages answered from each, interleaved (SQLite, PostgreSQL,
 * SQLite, …) so that a busy machine slows both alike.
 *
 *   npm run bench:query-pg    node --import tsx bench/query-pg.bench.ts [--quick] [--data-dir DIR] [--iters N]
 *
 * Measures: the copy, the PostgreSQL name snapshot (loaded before the first question and after
 * every inventory change), each question's answer (p50/p95 per back end) and REST list pages as
 * JSON (`ListPages.build` / `PgListPages.build`: first pages, and a page 50 pages deep by cursor).
 * Target (issue 18): first pages < 50 ms p95 at 100k VMs. Prints a table and one JSON summary line,
 * and writes bench/results/query-pg-<date>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ListRequestSchema, type ListRequest } from '../src/shared/contract.js';
import type { Answer } from '../src/shared/query.js';
import { openDatabase } from '../src/main/engine/db/database.js';
import { copyToPostgres } from '../src/main/engine/db/pg/copy.js';
import { migratePostgres } from '../src/main/engine/db/pg/migrate.js';
import { ListPages } from '../src/main/engine/list-pages.js';
import { PgListPages } from '../src/main/engine/list-pages-pg.js';
import { PgQueryBackend } from '../src/main/engine/query/pg-backend.js';
import { QueryService } from '../src/main/engine/query/query-service.js';
import { connectAdmin, createTeamDatabase, serverTarget, startPostgres } from '../src/testing/postgres.js';
import { ensureBenchCache } from './lib/cache.js';
import { int, table } from './lib/format.js';
import { pickNames, questions } from './lib/questions.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(1));

const now = new Date();
const quick = process.argv.includes('--quick');
const iters = Number(arg('--iters') ?? (quick ? 10 : 20));
const size = quick
  ? { vcenters: 10, vmsTotal: 10_000, hostsTotal: 500, datastoresTotal: 200 }
  : { vcenters: 100, vmsTotal: 100_000, hostsTotal: 5_000, datastoresTotal: 2_000 };
const TARGET_FIRST_PAGE_P95 = 50;
const log = (line = ''): void => void process.stdout.write(`${line}\n`);

const given = arg('--data-dir');
const dir = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-qpg-'));
ensureBenchCache(dir, size, log, 1);

const PW = 'bench-qpg-pw';
const server = await startPostgres(PW);
const admin = await connectAdmin(server);
await createTeamDatabase(admin, 'qpg');
await admin.end();
const target = serverTarget(server, 'qpg');
await migratePostgres(target);
let t = performance.now();
await copyToPostgres({ from: `sqlite:${dir}`, target });
const copyMs = performance.now() - t;
log(`copied into PostgreSQL in ${(copyMs / 1000).toFixed(1)} s`);

const opened = openDatabase(dir);
const backend = PgQueryBackend.connect(target);
// Planner statistics, as autovacuum gathers them soon after a bulk load.
t = performance.now();
await backend.all({ sql: 'ANALYZE', params: [] });
const analyzeMs = performance.now() - t;
// One clock for both: relative dates ("older than 30 days") give the same plans.
const onSqlite = new QueryService({ sqlite: opened.sqlite, now: () => now });
const onPg = new QueryService({ postgres: backend, now: () => now });
t = performance.now();
await backend.names.ready();
const snapshotMs = performance.now() - t;
log(`ANALYZE ${int(analyzeMs)} ms; PostgreSQL name snapshot loaded in ${int(snapshotMs)} ms`);

const qs = questions(pickNames(opened.sqlite));
const conversations = { sqlite: new Map<number, string>(), pg: new Map<number, string>() };
async function ask(side: 'sqlite' | 'pg', i: number): Promise<Answer> {
  const q = qs[i]!;
  const conv = q.followUpOf === undefined ? undefined : conversations[side].get(q.followUpOf);
  const req = { question: q.q, ...(conv ? { conversationId: conv } : {}) };
  const a = side === 'sqlite' ? onSqlite.ask(req) : await onPg.askAsync(req);
  if (q.followUpOf === undefined) conversations[side].set(i, a.conversationId);
  return a;
}

const rows: string[][] = [];
const summaryQuestions: { q: string; sqliteP95: number; pgP95: number }[] = [];
for (let i = 0; i < qs.length; i++) {
  const a = await ask('sqlite', i);
  const b = await ask('pg', i);
  const same = JSON.stringify({ ...a, conversationId: '' }) === JSON.stringify({ ...b, conversationId: '' });
  const times = { sqlite: [] as number[], pg: [] as number[] };
  for (let k = 0; k < iters; k++)
    for (const side of k % 2 ? (['pg', 'sqlite'] as const) : (['sqlite', 'pg'] as const)) {
      const s = performance.now();
      await ask(side, i);
      times[side].push(performance.now() - s);
    }
  rows.push([
    qs[i]!.q.slice(0, 48),
    a.kind,
    ms(pct(times.sqlite, 50)),
    ms(pct(times.sqlite, 95)),
    ms(pct(times.pg, 50)),
    ms(pct(times.pg, 95)),
    same ? 'same' : 'DIFFERS',
  ]);
  summaryQuestions.push({ q: qs[i]!.q, sqliteP95: pct(times.sqlite, 95), pgP95: pct(times.pg, 95) });
}
log();
log(table(['question', 'kind', 'SQLite p50', 'p95 ms', 'PostgreSQL p50', 'p95 ms', 'answers'], rows));

// REST list pages as JSON, first pages and one deep page (by the cursor SQLite gives; the same on both).
const sqlitePages = new ListPages(opened.sqlite, onSqlite);
const pgPages = new PgListPages(backend, onPg);
const req = (r: Partial<ListRequest> & Pick<ListRequest, 'entity'>): ListRequest =>
  ListRequestSchema.parse(r);
const lists: [string, ListRequest][] = [
  ['vms', req({ entity: 'vms' })],
  ['vms by memory desc', req({ entity: 'vms', sort: [{ field: 'memoryMb', dir: 'desc' }] })],
  ['vms by cluster', req({ entity: 'vms', sort: [{ field: 'cluster', dir: 'asc' }] })],
  [
    'powered off vms',
    req({ entity: 'vms', filter: { kind: 'cmp', field: 'powerState', op: 'eq', value: 'poweredOff' } }),
  ],
  [
    'vms named *web*',
    req({ entity: 'vms', filter: { kind: 'text', field: 'name', op: 'contains', value: 'web' } }),
  ],
  ['hosts', req({ entity: 'hosts' })],
  ['datastores by free', req({ entity: 'datastores', sort: [{ field: 'freeBytes', dir: 'asc' }] })],
];
const deep = (r: ListRequest): ListRequest => {
  let cursor: string | null | undefined;
  for (let n = 0; n < 50; n++) {
    cursor = sqlitePages.page({ ...r, ...(cursor ? { cursor } : {}) }).nextCursor;
    if (!cursor) break;
  }
  return cursor ? { ...r, cursor } : r;
};
lists.push(
  ['vms, page 51', deep(req({ entity: 'vms' }))],
  ['vms by memory desc, page 51', deep(req({ entity: 'vms', sort: [{ field: 'memoryMb', dir: 'desc' }] }))],
);
const pageRows: string[][] = [];
const summaryPages: { list: string; sqliteP95: number; pgP95: number }[] = [];
for (const [label, r] of lists) {
  const a = JSON.parse(sqlitePages.build(r).body.toString('utf8')) as unknown;
  const b = JSON.parse((await pgPages.build(r)).body.toString('utf8')) as unknown;
  const same = JSON.stringify(a) === JSON.stringify(b);
  const times = { sqlite: [] as number[], pg: [] as number[] };
  for (let k = 0; k < iters * 2; k++)
    for (const side of k % 2 ? (['pg', 'sqlite'] as const) : (['sqlite', 'pg'] as const)) {
      const s = performance.now();
      if (side === 'sqlite') sqlitePages.build(r);
      else await pgPages.build(r);
      times[side].push(performance.now() - s);
    }
  const pgP95 = pct(times.pg, 95);
  pageRows.push([
    label,
    ms(pct(times.sqlite, 50)),
    ms(pct(times.sqlite, 95)),
    ms(pct(times.pg, 50)),
    ms(pgP95),
    same ? 'same' : 'DIFFERS',
    pgP95 < TARGET_FIRST_PAGE_P95 ? '' : 'over target',
  ]);
  summaryPages.push({ list: label, sqliteP95: pct(times.sqlite, 95), pgP95 });
}
log();
log(
  table(
    ['list page (JSON, 100 rows)', 'SQLite p50', 'p95 ms', 'PostgreSQL p50', 'p95 ms', 'pages', ''],
    pageRows,
  ),
);

const summary = {
  bench: 'query-pg',
  date: new Date().toISOString(),
  vms: size.vmsTotal,
  iters,
  copyS: +(copyMs / 1000).toFixed(1),
  analyzeMs: Math.round(analyzeMs),
  nameSnapshotMs: Math.round(snapshotMs),
  questions: summaryQuestions.map((x) => ({ ...x, sqliteP95: +ms(x.sqliteP95), pgP95: +ms(x.pgP95) })),
  pages: summaryPages.map((x) => ({ ...x, sqliteP95: +ms(x.sqliteP95), pgP95: +ms(x.pgP95) })),
};
log();
log(JSON.stringify(summary));
const results = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
fs.mkdirSync(results, { recursive: true });
const file = path.join(results, `query-pg-${summary.date.replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify(summary, null, 2) + '\n');
log(`written to ${path.relative(process.cwd(), file)}`);

await backend.close();
opened.close();
await server.stop();
if (!given) fs.rmSync(dir, { recursive: true, force: true });
