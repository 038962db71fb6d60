/**
 * Query benchmark: the plain-English query engine over a big generated cache
 * (100k VMs, 5k hosts, 2k datastores, 100 vCenters; written through the sync's own store).
 *
 *   npm run bench:query        npx tsx bench/query.bench.ts [--quick] [--data-dir DIR] [--seconds N]
 *                              npx tsx bench/query.bench.ts --history-only [--quick]
 *                              npx tsx bench/query.bench.ts --database postgres|both [--quick]
 *
 * `--database postgres` answers the same questions and list pages on a throwaway PostgreSQL beside
 * SQLite (bench/query-pg.bench.ts, issue 18); `both` runs this benchmark first, then that one.
 *
 * Measures, for 30 representative questions: parse + plan (no SQL), end-to-end answers (first
 * page of a list, counts, groups) and answers while a sync writes 20 vCenters' inventories into
 * the same database file from another process. Prints a table, one JSON summary line, and writes
 * bench/results/query-<date>.json. A missed target is reported (with the SQL plan of the slow
 * question), never turned into an exit code.
 *
 * Internal: `--writer DIR IDS SEED` runs the concurrent sync writer (a child process).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openDatabase, type OpenedDatabase } from '../src/main/engine/db/database.js';
import { generateInventory, vcenterNameOf } from '../src/testing/generate-inventory.js';
import { InventoryStore, countsOf } from '../src/main/engine/db/inventory-store.js';
import { VcenterRepo } from '../src/main/engine/db/vcenter-repo.js';
import { QueryService } from '../src/main/engine/query/query-service.js';
import type { Answer, QueryPlan } from '../src/shared/query.js';
import { ensureBenchCache } from './lib/cache.js';
import { int, mark, table } from './lib/format.js';
import { HISTORY_TARGET, historyBench, type HistoryCase } from './lib/history.js';
import { pickNames, questions, type Category } from './lib/questions.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

const TARGET = { parseP95: 2, listP95: 50, countP95: 30, concurrentP95: 100 } as const;
const WRITER_VCENTERS = 20;
const WRITER_VMS = 1_000;

// ---------------------------------------------------------------------------------------------
// Writer child: replaces 20 vCenters' inventories in a loop until stdin says stop (or closes).

async function writerMain(dir: string, idsCsv: string, seed: number): Promise<void> {
  const ids = idsCsv.split(',').map(Number);
  const opened = openDatabase(dir);
  const store = new InventoryStore(opened.sqlite);
  const repo = new VcenterRepo(opened.db);
  // Each vCenter gets its own index (so its names match), new content (another seed).
  const index = new Map(repo.list().map((v) => [v.id, v.name]));
  const invs = ids.map((id, k) => {
    const name = index.get(id) ?? '';
    let vcIndex = k;
    for (let i = 0; i < 10_000; i++) {
      if (vcenterNameOf(i) === name) {
        vcIndex = i;
        break;
      }
    }
    return generateInventory({
      seed: seed + 1,
      vcenterIndex: vcIndex,
      vms: WRITER_VMS,
      hosts: 50,
      datastores: 20,
    });
  });
  let stop = false;
  process.stdin.on('data', () => (stop = true));
  process.stdin.on('end', () => (stop = true));
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  const times: number[] = [];
  const t0 = performance.now();
  for (let k = 0; !stop; k = (k + 1) % ids.length) {
    const started = Date.now();
    const t = performance.now();
    store.replace(ids[k]!, invs[k]!);
    repo.setState(ids[k]!, {
      status: 'ok',
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      counts: JSON.stringify(countsOf(invs[k]!)),
      lastSuccessAt: new Date().toISOString(),
    });
    times.push(performance.now() - t);
    // Let the stop message in between two "syncs".
    await new Promise((r) => setImmediate(r));
  }
  const wallMs = performance.now() - t0;
  opened.close();
  process.stdout.write(
    JSON.stringify({
      replaces: times.length,
      wallMs,
      replaceP50Ms: pct(times, 50),
      replaceP95Ms: pct(times, 95),
      busyPercent: (times.reduce((a, b) => a + b, 0) / wallMs) * 100,
    }) + '\n',
  );
}

// ---------------------------------------------------------------------------------------------
// The change history: 1M changes (100k with --quick), read by time and by object.

function runHistory(
  quick: boolean,
  log: (s?: string) => void,
): { seedMs: number; cases: HistoryCase[]; pass: { last24h: boolean; object: boolean } } {
  const r = historyBench({ rows: quick ? 100_000 : 1_000_000, iterations: quick ? 50 : 300, log });
  const target = (c: HistoryCase): number | undefined =>
    c.name.startsWith('last 24 h, first')
      ? HISTORY_TARGET.last24hP95
      : c.name.startsWith('one object')
        ? HISTORY_TARGET.objectP95
        : undefined;
  log();
  log(
    table(
      ['history read (ms)', 'rows matched', 'samples', 'p50', 'p95', 'max', 'target p95', ''],
      r.cases.map((c) => {
        const t = target(c);
        return [
          c.name,
          int(c.rows),
          int(c.n),
          ms(c.p50),
          ms(c.p95),
          ms(c.max),
          t === undefined ? '–' : `< ${t}`,
          t === undefined ? '' : mark(c.p95 < t),
        ];
      }),
    ),
  );
  const pass = {
    last24h: r.cases
      .filter((c) => target(c) === HISTORY_TARGET.last24hP95)
      .every((c) => c.p95 < HISTORY_TARGET.last24hP95),
    object: r.cases
      .filter((c) => target(c) === HISTORY_TARGET.objectP95)
      .every((c) => c.p95 < HISTORY_TARGET.objectP95),
  };
  return { ...r, pass };
}

interface QuestionResult {
  question: string;
  expect: Category;
  kind: string;
  category: Category | 'other';
  total: number;
  interpretation: string;
  parse: Stats;
  answer: Stats;
  concurrent?: Stats;
  explain?: string[];
  sql?: string;
}

interface Stats {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function stats(xs: number[]): Stats {
  return { n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), max: xs.length ? Math.max(...xs) : Number.NaN };
}

const ms = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '–');

function categoryOf(kind: string): Category | 'other' {
  if (kind === 'rows') return 'list';
  if (kind === 'count' || kind === 'value') return 'count';
  if (kind === 'groups') return 'group';
  if (kind === 'find') return 'find';
  return 'other';
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** EXPLAIN QUERY PLAN of the SQL a plan runs, via the planner's own builders when it has them. */
async function explain(
  sqlite: OpenedDatabase['sqlite'],
  plan: QueryPlan,
  kind: string,
): Promise<{ sql: string; plan: string[] } | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import('../src/main/engine/query/planner.js')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  type Builder = (
    p: QueryPlan,
    page?: { limit: number; offset: number },
  ) => { sql: string; params: unknown[] };
  const pickFn = (name: string): Builder | undefined => {
    const f = mod[name];
    return typeof f === 'function' ? (f as Builder) : undefined;
  };
  const builder =
    kind === 'groups' || plan.groupBy
      ? pickFn('groupQuery')
      : kind === 'count'
        ? pickFn('countQuery')
        : kind === 'value'
          ? pickFn('aggregateQuery')
          : pickFn('rowsQuery');
  if (!builder) return undefined;
  try {
    const q = builder(plan, { limit: 100, offset: 0 });
    const rows = sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as (string | number)[])) as {
      id: number;
      parent: number;
      detail: string;
    }[];
    const depth = new Map<number, number>([[0, -1]]);
    const lines = rows.map((r) => {
      const d = (depth.get(r.parent) ?? -1) + 1;
      depth.set(r.id, d);
      return `${'  '.repeat(d)}${r.detail}`;
    });
    return { sql: q.sql, plan: lines };
  } catch (err) {
    return { sql: '(planner call failed)', plan: [(err as Error).message] };
  }
}

function startWriter(
  dir: string,
  ids: number[],
  seed: number,
): Promise<{ child: ChildProcess; done: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, SELF, '--writer', dir, ids.join(','), String(seed)],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let buf = '';
    let ready = false;
    const done = new Promise<string>((res) => child.once('close', () => res(buf)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      if (!ready && buf.includes('"ready"')) {
        ready = true;
        buf = buf.slice(buf.indexOf('\n') + 1);
        resolve({ child, done });
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`writer exited early (code ${code})`));
    });
  });
}

function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model,
    cores: cpus.length,
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const size = quick
    ? { vcenters: 10, vmsTotal: 10_000, hostsTotal: 500, datastoresTotal: 200 }
    : { vcenters: 100, vmsTotal: 100_000, hostsTotal: 5_000, datastoresTotal: 2_000 };
  const seed = 1;
  const parseIters = quick ? 50 : 300;
  const answerIters = quick ? 30 : 200;
  const answerBudgetMs = 20_000; // per question; fewer samples (reported) if a question is that slow
  const concurrentSeconds = Number(arg('--seconds') ?? (quick ? 8 : 30));
  const log = (s = ''): void => console.log(s);
  if (process.argv.includes('--history-only')) {
    const h = runHistory(quick, log);
    log(
      JSON.stringify({
        bench: 'query-history',
        date: new Date().toISOString(),
        quick,
        machine: machineInfo(),
        seedMs: Math.round(h.seedMs),
        cases: h.cases,
        pass: h.pass,
      }),
    );
    return;
  }

  const given = arg('--data-dir');
  const dir = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-qbench-'));
  // Opened afresh after generating: the engine sees a cache as an app start would.
  const { genMs } = ensureBenchCache(dir, size, log, seed);
  const opened = openDatabase(dir);
  const { sqlite } = opened;
  const dbCounts = sqlite
    .prepare(
      `SELECT (SELECT count(*) FROM vms) AS vms, (SELECT count(*) FROM hosts) AS hosts,
              (SELECT count(*) FROM datastores) AS datastores, (SELECT count(*) FROM vcenters) AS vcenters,
              (SELECT count(*) FROM snapshots) AS snapshots`,
    )
    .get() as Record<string, number>;

  const tEngine = performance.now();
  const engine = new QueryService({ sqlite });
  const engineInitMs = performance.now() - tEngine;
  log(`QueryService constructed in ${ms(engineInitMs)} ms`);

  const names = pickNames(sqlite);
  const qs = questions(names);
  const convOf = new Map<number, string>();
  const startConversation = (i: number): string => {
    const a = engine.ask({ question: qs[i]!.q });
    convOf.set(i, a.conversationId);
    return a.conversationId;
  };
  const ask = (i: number): Answer => {
    const q = qs[i]!;
    if (q.followUpOf === undefined) return engine.ask({ question: q.q });
    const conv = convOf.get(q.followUpOf) ?? startConversation(q.followUpOf);
    return engine.ask({ question: q.q, conversationId: conv });
  };

  // First answers: what each question turns into (and a warm-up).
  const first = qs.map((q, i) => {
    if (q.followUpOf !== undefined) startConversation(q.followUpOf);
    return ask(i);
  });

  // 1. parse + plan
  log('Timing parse + plan …');
  const parseTimes: number[][] = qs.map((q, i) => {
    const conv = q.followUpOf !== undefined ? convOf.get(q.followUpOf) : undefined;
    for (let k = 0; k < 20; k++) engine.parse(q.q, conv);
    const xs: number[] = [];
    for (let k = 0; k < parseIters; k++) {
      const t = performance.now();
      engine.parse(q.q, conv);
      xs.push(performance.now() - t);
    }
    void i;
    return xs;
  });

  // 2. end-to-end answers
  log('Timing answers …');
  const answerTimes: number[][] = qs.map((q, i) => {
    for (let k = 0; k < 3; k++) {
      if (q.followUpOf !== undefined) startConversation(q.followUpOf);
      ask(i);
    }
    const xs: number[] = [];
    const t0 = performance.now();
    for (let k = 0; k < answerIters && (k < 20 || performance.now() - t0 < answerBudgetMs); k++) {
      // Follow-ups answer in a fresh conversation each time (as a user would type them).
      if (q.followUpOf !== undefined) startConversation(q.followUpOf);
      const t = performance.now();
      ask(i);
      xs.push(performance.now() - t);
    }
    return xs;
  });

  // 2b. the first answer after an inventory change: the engine reloads its name vocabulary.
  const coldIdx = 0; // "powered off vms in cluster X": resolves a name
  const coldTimes: number[] = [];
  for (let k = 0; k < (quick ? 5 : 15); k++) {
    const t = performance.now();
    engine.invalidate();
    ask(coldIdx);
    coldTimes.push(performance.now() - t);
  }
  const cold = stats(coldTimes);

  // 3. answers while a sync writes into the same file
  log(
    `Timing answers during a sync (${WRITER_VCENTERS} vCenters × ${int(WRITER_VMS)} VMs replaced in a loop, ${concurrentSeconds} s) …`,
  );
  const ids = (
    sqlite.prepare('SELECT id FROM vcenters ORDER BY id LIMIT ?').all(WRITER_VCENTERS) as { id: number }[]
  ).map((r) => r.id);
  const writer = await startWriter(dir, ids, seed);
  const concurrentTimes: number[][] = qs.map(() => []);
  const tc = performance.now();
  let rounds = 0;
  while (performance.now() - tc < concurrentSeconds * 1000 || rounds < 3) {
    for (let i = 0; i < qs.length; i++) {
      if (qs[i]!.followUpOf !== undefined) startConversation(qs[i]!.followUpOf!);
      const t = performance.now();
      ask(i);
      concurrentTimes[i]!.push(performance.now() - t);
    }
    rounds++;
  }
  writer.child.stdin?.end('stop\n');
  const writerOut = (await writer.done).trim().split('\n').pop() ?? '{}';
  let writerStats: Record<string, number>;
  try {
    writerStats = JSON.parse(writerOut) as Record<string, number>;
  } catch {
    writerStats = {};
  }

  // Results
  const results: QuestionResult[] = qs.map((q, i) => ({
    question: q.q,
    expect: q.expect,
    kind: first[i]!.kind,
    category: categoryOf(first[i]!.kind),
    total: first[i]!.total,
    interpretation: first[i]!.interpretation,
    parse: stats(parseTimes[i]!),
    answer: stats(answerTimes[i]!),
    concurrent: stats(concurrentTimes[i]!),
  }));

  const pooled = (cat: Category | 'all', which: 'parse' | 'answer' | 'concurrent'): Stats => {
    const src = which === 'parse' ? parseTimes : which === 'answer' ? answerTimes : concurrentTimes;
    return stats(src.flatMap((xs, i) => (cat === 'all' || results[i]!.category === cat ? xs : [])));
  };
  const parseAll = pooled('all', 'parse');
  const lists = pooled('list', 'answer');
  const counts = pooled('count', 'answer');
  const groups = pooled('group', 'answer');
  const finds = pooled('find', 'answer');
  const conc = pooled('all', 'concurrent');

  // Slow questions: their SQL plan.
  const slow: QuestionResult[] = [];
  for (const [i, r] of results.entries()) {
    const limit =
      r.category === 'count'
        ? TARGET.countP95
        : r.category === 'list' || r.category === 'group'
          ? TARGET.listP95
          : TARGET.listP95;
    const concSlow = (r.concurrent?.p95 ?? 0) > TARGET.concurrentP95;
    if (r.answer.p95 > limit || concSlow) {
      const plan = first[i]!.plan;
      if (plan) {
        const e = await explain(sqlite, plan, r.kind);
        if (e) {
          r.sql = e.sql;
          r.explain = e.plan;
        }
      }
      slow.push(r);
    }
  }

  // Print
  log();
  log(
    `Cache: ${int(dbCounts['vms'] ?? 0)} VMs, ${int(dbCounts['hosts'] ?? 0)} hosts, ${int(dbCounts['datastores'] ?? 0)} datastores, ${dbCounts['vcenters']} vCenters, ${int(dbCounts['snapshots'] ?? 0)} snapshots`,
  );
  log();
  log(
    table(
      [
        '#',
        'question',
        'kind',
        'total',
        'parse p50',
        'parse p95',
        'answer p50',
        'answer p95',
        'n',
        'sync p95',
      ],
      results.map((r, i) => [
        String(i + 1),
        (qs[i]!.followUpOf !== undefined ? '  ↳ ' : '') +
          (r.question.length > 58 ? r.question.slice(0, 57) + '…' : r.question),
        r.kind + (r.category !== r.expect ? ` (≠${r.expect})` : ''),
        int(r.total),
        ms(r.parse.p50),
        ms(r.parse.p95),
        ms(r.answer.p50),
        ms(r.answer.p95),
        String(r.answer.n),
        ms(r.concurrent?.p95 ?? Number.NaN),
      ]),
    ),
  );
  log();
  const targets = [
    { name: 'parse + plan', s: parseAll, target: TARGET.parseP95 as number | undefined },
    { name: 'lists (first page)', s: lists, target: TARGET.listP95 as number | undefined },
    { name: 'counts', s: counts, target: TARGET.countP95 as number | undefined },
    { name: 'groups', s: groups, target: undefined },
    { name: 'lookups (where is / ip)', s: finds, target: undefined },
    { name: 'first answer after a sync (names reloaded)', s: cold, target: undefined },
    { name: 'all answers during a sync', s: conc, target: TARGET.concurrentP95 as number | undefined },
  ];
  log(
    table(
      ['measure (ms)', 'samples', 'p50', 'p95', 'max', 'target p95', ''],
      targets.map((t) => [
        t.name,
        int(t.s.n),
        ms(t.s.p50),
        ms(t.s.p95),
        ms(t.s.max),
        t.target === undefined ? '–' : `< ${t.target}`,
        t.target === undefined || t.s.n === 0 ? '' : mark(t.s.p95 < t.target),
      ]),
    ),
  );
  log();
  log(
    `Writer during the sync phase: ${writerStats['replaces'] ?? '?'} replaces of ${int(WRITER_VMS)}-VM inventories, ` +
      `p50 ${ms(writerStats['replaceP50Ms'] ?? Number.NaN)} ms, p95 ${ms(writerStats['replaceP95Ms'] ?? Number.NaN)} ms, ` +
      `writing ${ms(writerStats['busyPercent'] ?? Number.NaN)} % of the time; ${rounds} rounds of ${qs.length} questions`,
  );
  for (const r of slow) {
    log();
    log(
      `SLOW: "${r.question}" (${r.kind}, answer p95 ${ms(r.answer.p95)} ms, during sync p95 ${ms(r.concurrent?.p95 ?? Number.NaN)} ms)`,
    );
    if (r.sql) log(`  SQL: ${r.sql.replace(/\s+/g, ' ').slice(0, 600)}`);
    for (const line of r.explain ?? ['(no plan available)']) log(`  ${line}`);
  }

  const history = runHistory(quick, log);

  const now = new Date();
  const stamp = now.toISOString().slice(0, 19).replace(/:/g, '').replace('T', '-');
  const summary = {
    bench: 'query',
    date: now.toISOString(),
    quick,
    cache: dbCounts,
    generateMs: Math.round(genMs),
    engineInitMs: Math.round(engineInitMs * 10) / 10,
    parseP50Ms: parseAll.p50,
    parseP95Ms: parseAll.p95,
    listP50Ms: lists.p50,
    listP95Ms: lists.p95,
    countP50Ms: counts.p50,
    countP95Ms: counts.p95,
    groupP50Ms: groups.p50,
    groupP95Ms: groups.p95,
    findP95Ms: finds.p95,
    afterInvalidateP50Ms: cold.p50,
    duringSyncP50Ms: conc.p50,
    duringSyncP95Ms: conc.p95,
    pass: {
      parse: parseAll.p95 < TARGET.parseP95,
      lists: lists.p95 < TARGET.listP95,
      counts: counts.p95 < TARGET.countP95,
      duringSync: conc.p95 < TARGET.concurrentP95,
      history24h: history.pass.last24h,
      historyObject: history.pass.object,
    },
    history: history.cases.map((c) => ({ name: c.name, p50Ms: c.p50, p95Ms: c.p95 })),
    slow: slow.map((r) => r.question),
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const outFile = path.join(RESULTS_DIR, `query-${stamp}.json`);
  fs.writeFileSync(
    outFile,
    JSON.stringify(
      { ...summary, machine: machineInfo(), targets: TARGET, names, writer: writerStats, questions: results },
      null,
      2,
    ) + '\n',
  );
  log();
  log(`Details: ${path.relative(ROOT, outFile)}`);
  log(JSON.stringify(summary));

  opened.close();
  if (!given) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * `--database postgres|both` (issue 18): the questions and list pages on a team server's
 * PostgreSQL beside SQLite, interleaved on the same cache: bench/query-pg.bench.ts, run in its own
 * process with the other arguments (`--quick`, `--data-dir`, `--iters`).
 */
function runOnPostgres(): void {
  const rest = process.argv.slice(2).filter((a, i, all) => a !== '--database' && all[i - 1] !== '--database');
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(path.dirname(SELF), 'query-pg.bench.ts'), ...rest],
    {
      stdio: 'inherit',
    },
  );
  process.exit(child.status ?? 1);
}

const database = arg('--database');
if (database !== undefined && !['sqlite', 'postgres', 'both'].includes(database)) {
  console.error(`--database: sqlite, postgres or both (got ${database})`);
  process.exit(2);
}
if (process.argv[2] === '--writer') {
  writerMain(process.argv[3]!, process.argv[4]!, Number(process.argv[5] ?? 1)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (database === 'postgres') {
  runOnPostgres();
} else {
  main()
    .then(() => {
      if (database === 'both') runOnPostgres();
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
