/**
 * REST API benchmark: 100 concurrent clients paging `GET /api/vms` by keyset cursor (limit 100,
 * a mix of sorts and filters) on a 100k-VM cache (5k hosts, 2k datastores, 100 vCenters; written
 * by `populateCache`, the sync's own store) for a bounded time.
 *
 *   npm run bench:api      node --import tsx bench/api.bench.ts [--quick] [--seconds N]
 *                          [--clients N] [--mix shared|distinct|both] [--data-dir DIR] [--tsx]
 *                          [--url URL --password PW] [--root DIR]
 *                          [--database sqlite|postgres|both] [--rounds N]
 *
 * The server runs in a child process (`vminer serve --port 0`, the built CLI; rebuilt with
 * `electron-vite build` when older than the sources, or the sources through tsx with `--tsx` or
 * when the build fails), so clients and server do not share an event loop. Clients use keep-alive
 * connections (node:http, one socket each) and follow the `Link` header from page to page,
 * parsing every 25th page to check it against the header. Two phases (`--mix shared|distinct|both`,
 * see `runPhase`): walks from page 1 that clients share, and walks with page sizes no other walk
 * uses. Reports throughput and p50/p95/p99 latency per phase, overall and per scenario.
 * Target: p99 < 100 ms. Prints a table and one JSON line, writes
 * bench/results/api-<date>.json. A missed target is reported, never an exit code.
 * `--url` (with `--password` for "admin") benchmarks a server that is already running on a cache
 * of your own (e.g. one started with `node --cpu-prof`). `--root DIR` serves with another
 * checkout's build (`DIR/out/main/cli.js`, not rebuilt), for a before/after. The server runs with
 * the engine's V8 flags (src/main/node-flags.ts; `--no-engine-flags`: Node's defaults).
 * `--database postgres` (issue 18) copies the cache into a throwaway PostgreSQL on loopback
 * (`teamCopyOf`) and runs `serve --database` (TeamEngine) on it; `both` runs SQLite serve and then
 * PostgreSQL serve on the same cache, `--rounds N` alternating them (writes api-pg-<date>.json for
 * PostgreSQL). Each phase also reports its first pages (page 1 of every walk): target < 50 ms p95.
 */
import { ensureBenchCache } from './lib/cache.js';
import { BENCH_ENGINE_FLAGS } from './lib/engine-flags.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { int, mark, table } from './lib/format.js';
import { pgUrl, startPostgres, teamCopyOf, type RunningPostgres } from '../src/testing/postgres.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const CLI_ROOT = path.resolve(arg('--root') ?? ROOT);
const CLI = path.join(CLI_ROOT, 'out', 'main', 'cli.js');
const TARGET_P99_MS = 100;
const PASSWORD = 'bench-admin-password';
/** Issue 18: first pages (page 1 of every walk) under this p95, on either back end. */
const TARGET_FIRST_PAGE_P95_MS = 50;
const PG_PASSWORD = 'bench-api-pg-password';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(name);

const quick = flag('--quick');
const seconds = Number(arg('--seconds') ?? (quick ? 5 : 20));
const clients = Number(arg('--clients') ?? 100);
const size = quick
  ? { vcenters: 10, vmsTotal: 10_000, hostsTotal: 500, datastoresTotal: 200 }
  : { vcenters: 100, vmsTotal: 100_000, hostsTotal: 5_000, datastoresTotal: 2_000 };
const PAGES_PER_WALK = 25;
const LIMIT = 100;
/** Every so many pages, the client parses the body and checks it against the `Link` header. */
const CHECK_EVERY = 25;

interface Scenario {
  name: string;
  query: string;
}

/** What a grid does: scroll a sorted, filtered list. */
function scenarios(vcenter: string): Scenario[] {
  return [
    { name: 'all, by name', query: '' },
    { name: 'sort memoryMb:desc', query: 'sort=memoryMb:desc' },
    { name: 'poweredOn, numCpu:desc', query: 'powerState=poweredOn&sort=numCpu:desc' },
    { name: 'name=*web*', query: 'name=*web*' },
    { name: 'numCpu>=8, memoryMb:asc', query: 'numCpu.gte=8&sort=memoryMb:asc' },
    { name: 'one vCenter, provisioned:desc', query: `vcenter=${vcenter}&sort=provisionedBytes:desc` },
    { name: 'off & <4 GB', query: 'powerState=poweredOff&memoryMb.lt=4096' },
    { name: 'sort cluster,host', query: 'sort=cluster:asc,host:asc' },
  ];
}

// ---------------------------------------------------------------------------------------------
// Server child

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.tsx?$/.test(e.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The command that runs `vminer serve`: the built CLI (rebuilt when stale) or the sources via tsx. */
function serverCommand(log: (s: string) => void): { argv: string[]; how: string } {
  const fromSource = { argv: ['--import', 'tsx', path.join(ROOT, 'src', 'main', 'cli.ts')], how: 'tsx src' };
  if (flag('--tsx')) return fromSource;
  if (CLI_ROOT !== ROOT) return { argv: [CLI], how: `${CLI} (--root)` };
  const srcNewest = Math.max(
    newestMtime(path.join(ROOT, 'src', 'main')),
    newestMtime(path.join(ROOT, 'src', 'shared')),
  );
  const built = fs.existsSync(CLI) ? fs.statSync(CLI).mtimeMs : 0;
  if (built < srcNewest) {
    log('out/main/cli.js is missing or older than src: npx electron-vite build …');
    const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      log(`  build failed (exit ${r.status}); serving the sources through tsx instead`);
      log(
        String(r.stderr ?? '')
          .split('\n')
          .slice(-5)
          .join('\n'),
      );
      return fromSource;
    }
  }
  return { argv: [CLI], how: 'out/main/cli.js' };
}

async function startServer(
  dataDir: string,
  log: (s: string) => void,
  database?: string,
): Promise<{ child: ChildProcess; url: string; how: string }> {
  const { argv, how } = serverCommand(log);
  const child = spawn(
    process.execPath,
    [
      ...BENCH_ENGINE_FLAGS,
      ...argv,
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      ...(database ? ['--database', database] : []),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...(database ? { PGPASSWORD: PG_PASSWORD } : {}),
        VMINER_ADMIN_PASSWORD: PASSWORD,
        // A fixed vault key from the environment: no OS keychain prompt, no key file, and a
        // --data-dir cache made by an earlier run opens again. (Only for benchmark caches.)
        VMINER_SECRET_KEY: createHash('sha256').update('vminer-api-bench').digest('hex'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let errText = '';
  child.stderr!.on('data', (c: Buffer) => (errText += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start in 60 s:\n${out}\n${errText}`)),
      60_000,
    );
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /REST API: (http:\/\/\S+?)\/api/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}):\n${out}\n${errText}`));
    });
  });
  return { child, url, how };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

// ---------------------------------------------------------------------------------------------
// Clients

interface HttpResult {
  status: number;
  /** The body, read only when asked for, on errors and on a page without a next link. */
  body: string | undefined;
  /** The `Link: <…>; rel="next"` target, if any. */
  next: string | null;
  bytes: number;
}

/**
 * One request on a keep-alive socket. A page's body is counted but not decoded unless `keep`
 * (or it is an error, or the last page): like wrk or autocannon, the load generator does not spend
 * the server's cores parsing 100 KB answers — it follows the `Link` header instead.
 */
function request(
  agent: http.Agent,
  base: URL,
  method: string,
  p: string,
  headers: Record<string, string>,
  body?: string,
  keep = true,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const rq = http.request(
      { agent, host: base.hostname, port: Number(base.port), method, path: p, headers },
      (res) => {
        const link = String(res.headers.link ?? '');
        const next = link ? (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null) : null;
        const read = keep || res.statusCode !== 200 || next === null;
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (read) chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: read ? Buffer.concat(chunks).toString('utf8') : undefined,
            next,
            bytes,
          }),
        );
        res.on('error', reject);
      },
    );
    rq.on('error', reject);
    rq.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

interface Stats {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function stats(lat: number[], elapsedS: number): Stats {
  const sorted = Float64Array.from(lat).sort();
  const arr = Array.from(sorted);
  return {
    requests: arr.length,
    rps: arr.length / elapsedS,
    p50: percentile(arr, 50),
    p95: percentile(arr, 95),
    p99: percentile(arr, 99),
    max: arr.at(-1) ?? Number.NaN,
    mean: arr.reduce((a, b) => a + b, 0) / Math.max(1, arr.length),
  };
}

type Mix = 'shared' | 'distinct';

interface PhaseResult {
  mix: Mix;
  elapsedS: number;
  total: Stats;
  burst: Stats;
  steady: Stats;
  /** Page 1 of every walk (what a grid shows first). */
  first: Stats;
  perScenario: Map<string, Stats>;
  errors: number;
  firstError: string;
  walks: number;
  rows: number;
  bytes: number;
  pagesChecked: number;
}

interface PhaseContext {
  agent: http.Agent;
  base: URL;
  headers: Record<string, string>;
  scen: Scenario[];
}

/**
 * `clients` clients walk the scenarios for `seconds`, each walk up to PAGES_PER_WALK pages by the
 * `Link` header. `shared`: every walk starts at page 1 with 100 rows a page, so clients read the
 * same pages (grids and dashboards opening the same lists) and the server's page memory answers
 * most of them. `distinct`: every walk asks for its own page size (60–159 rows, 110 on average),
 * so its pages are cut differently from every other walk's and SQLite builds each one on the
 * spot, as for scripts with filters of their own (the totals are the same queries', remembered
 * as they would be).
 */
async function runPhase(ctx: PhaseContext, mix: Mix): Promise<PhaseResult> {
  const { agent, base, headers, scen } = ctx;
  const perScenario = new Map<string, number[]>(scen.map((s) => [s.name, []]));
  const all: number[] = [];
  const firstPages: number[] = [];
  /** When each request in `all` was sent (ms after the start). */
  const starts: number[] = [];
  let errors = 0;
  let firstError = '';
  let walks = 0;
  let rows = 0;
  let bytes = 0;
  let pagesSent = 0;
  let pagesChecked = 0;
  // A fixed seed: runs compare like with like.
  let seed = 0x5eed;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const client = async (i: number): Promise<void> => {
    let k = i;
    while (performance.now() < deadline) {
      const s = scen[k++ % scen.length]!;
      const limit = mix === 'distinct' ? 60 + Math.floor(random() * 100) : LIMIT;
      let p: string | null = `/api/vms?limit=${limit}${s.query ? `&${s.query}` : ''}`;
      for (let pg = 0; p && pg < PAGES_PER_WALK && performance.now() < deadline; pg++) {
        const check = ++pagesSent % CHECK_EVERY === 0;
        const t = performance.now();
        let r: HttpResult;
        try {
          r = await request(agent, base, 'GET', p, headers, undefined, check);
        } catch (e) {
          errors++;
          firstError ||= String(e);
          break;
        }
        const ms = performance.now() - t;
        if (r.status !== 200) {
          errors++;
          firstError ||= `${r.status} ${(r.body ?? '').slice(0, 300)}`;
          break;
        }
        all.push(ms);
        if (pg === 0) firstPages.push(ms);
        starts.push(t - t0);
        perScenario.get(s.name)!.push(ms);
        bytes += r.bytes;
        if (r.body === undefined) {
          // A page with a next link is a full page.
          rows += limit;
        } else {
          const page = JSON.parse(r.body) as { items: unknown[]; nextCursor: string | null };
          rows += page.items.length;
          pagesChecked++;
          const linked = r.next ? new URLSearchParams(r.next.split('?')[1]).get('cursor') : null;
          if (page.nextCursor !== linked || (page.nextCursor !== null && page.items.length !== limit)) {
            errors++;
            firstError ||= `page ${p}: body and Link header disagree (${page.items.length} items, cursor ${page.nextCursor}, link ${r.next})`;
            break;
          }
        }
        p = r.next;
      }
      walks++;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  const elapsedS = (performance.now() - t0) / 1000;
  return {
    mix,
    elapsedS,
    total: stats(all, elapsedS),
    // The opening burst (every client's first request at once) apart from the steady state.
    burst: stats(
      all.filter((_, i) => starts[i]! < 1000),
      elapsedS,
    ),
    steady: stats(
      all.filter((_, i) => starts[i]! >= 1000),
      elapsedS,
    ),
    first: stats(firstPages, elapsedS),
    perScenario: new Map([...perScenario].map(([name, lat]) => [name, stats(lat, elapsedS)])),
    errors,
    firstError,
    walks,
    rows,
    bytes,
    pagesChecked,
  };
}

const f1 = (n: number): string => n.toFixed(1);
const r2 = (n: number): number => Number(n.toFixed(2));

function report(r: PhaseResult, scen: Scenario[], log: (s?: string) => void): void {
  const row = (name: string, st: Stats): string[] => [
    name,
    int(st.requests),
    int(st.rps),
    f1(st.p50),
    f1(st.p95),
    f1(st.p99),
    f1(st.max),
  ];
  log('');
  log(
    table(
      ['scenario', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      [...scen.map((s) => row(s.name, r.perScenario.get(s.name)!)), row('ALL', r.total)],
    ),
  );
  log('');
  log(
    `${int(r.total.rps)} requests/s, ${int(r.rows / r.elapsedS)} rows/s, ${(r.bytes / r.elapsedS / 1048576).toFixed(0)} MB/s, ` +
      `${r.walks} walks, ${int(r.pagesChecked)} pages parsed and checked, ${r.errors} errors` +
      `${r.firstError ? ` (first: ${r.firstError})` : ''}`,
  );
  log(
    `sent in the first second: ${r.burst.requests} (p50 ${f1(r.burst.p50)}, p99 ${f1(r.burst.p99)} ms); ` +
      `afterwards: ${r.steady.requests} (p50 ${f1(r.steady.p50)}, p99 ${f1(r.steady.p99)} ms)`,
  );
  log(
    `${r.mix}: p99 ${f1(r.total.p99)} ms (target < ${TARGET_P99_MS} ms): ${mark(r.total.p99 < TARGET_P99_MS)}`,
  );
  log(
    `${r.mix}: first pages ${r.first.requests}, p50 ${f1(r.first.p50)} ms, p95 ${f1(r.first.p95)} ms ` +
      `(target < ${TARGET_FIRST_PAGE_P95_MS} ms): ${mark(r.first.p95 < TARGET_FIRST_PAGE_P95_MS)}`,
  );
}

function phaseJson(r: PhaseResult, scen: Scenario[]): Record<string, unknown> {
  return {
    seconds: r2(r.elapsedS),
    requests: r.total.requests,
    errors: r.errors,
    requestsPerSecond: Number(r.total.rps.toFixed(1)),
    rowsPerSecond: Math.round(r.rows / r.elapsedS),
    bytesPerSecond: Math.round(r.bytes / r.elapsedS),
    pagesChecked: r.pagesChecked,
    latencyMs: {
      p50: r2(r.total.p50),
      p95: r2(r.total.p95),
      p99: r2(r.total.p99),
      max: r2(r.total.max),
      mean: r2(r.total.mean),
    },
    firstPages: {
      requests: r.first.requests,
      p50: r2(r.first.p50),
      p95: r2(r.first.p95),
      targetP95Ms: TARGET_FIRST_PAGE_P95_MS,
      pass: r.first.p95 < TARGET_FIRST_PAGE_P95_MS,
    },
    firstSecond: { requests: r.burst.requests, p50: r2(r.burst.p50), p99: r2(r.burst.p99) },
    afterFirstSecond: { requests: r.steady.requests, p50: r2(r.steady.p50), p99: r2(r.steady.p99) },
    scenarios: Object.fromEntries(
      scen.map((s) => {
        const st = r.perScenario.get(s.name)!;
        return [
          s.name,
          { query: s.query, requests: st.requests, p50: r2(st.p50), p95: r2(st.p95), p99: r2(st.p99) },
        ];
      }),
    ),
    target: { p99Ms: TARGET_P99_MS, pass: r.total.p99 < TARGET_P99_MS },
  };
}

/**
 * The server process's CPU time so far (user + system, all its threads), from /proc (Linux;
 * undefined elsewhere or for an external server). CPU per request holds still on a busy machine
 * where requests per second swing with what else runs on the cores.
 */
function serverCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line (11 and 12 after the name), in 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** The server process's peak RSS in MB (Linux /proc: VmHWM). */
function serverPeakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

type Backend = 'sqlite' | 'postgres';

async function main(): Promise<void> {
  const log = (s = ''): void => console.log(s);
  const dbArg = arg('--database') ?? 'sqlite';
  if (!['sqlite', 'postgres', 'both'].includes(dbArg))
    throw new Error('--database takes sqlite, postgres or both');
  const backends: Backend[] = dbArg === 'both' ? ['sqlite', 'postgres'] : [dbArg as Backend];
  const rounds = Number(arg('--rounds') ?? 1);
  const given = arg('--data-dir');
  const external = arg('--url');
  const mixArg = arg('--mix') ?? 'both';
  if (!['shared', 'distinct', 'both'].includes(mixArg))
    throw new Error('--mix takes shared, distinct or both');
  const mixes: Mix[] = mixArg === 'both' ? ['shared', 'distinct'] : [mixArg as Mix];
  const dir = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-apibench-'));
  const genMs = external ? 0 : ensureBenchCache(dir, size, log).genMs;
  let pgServer: RunningPostgres | undefined;
  let pgDatabase: string | undefined;
  try {
    if (backends.includes('postgres') && !external) {
      pgServer = await startPostgres(PG_PASSWORD);
      const t = performance.now();
      await teamCopyOf(pgServer, 'apibench', dir);
      pgDatabase = pgUrl(pgServer, 'apibench');
      log(
        `the cache copied into PostgreSQL (${pgDatabase}) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    }
    // The back ends alternate, round after round, so that a busy machine slows both alike.
    for (let round = 0; round < rounds; round++)
      for (const backend of round % 2 ? [...backends].reverse() : backends)
        await benchBackend(backend, backend === 'postgres' ? pgDatabase : undefined);
  } finally {
    await pgServer?.stop();
    if (!given) fs.rmSync(dir, { recursive: true, force: true });
  }

  async function benchBackend(backend: Backend, database: string | undefined): Promise<void> {
    log('');
    log(`=== ${backend}`);
    // On PostgreSQL the data folder keeps only this instance's log.
    const logDir = database ? fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-apibench-pg-')) : undefined;
    const server = external
      ? { child: undefined, url: external.replace(/\/+$/, ''), how: 'external' }
      : await startServer(logDir ?? dir, log, database);
    log(`Server (${server.how}${server.child ? `, pid ${server.child.pid}` : ''}) at ${server.url}`);
    const password = arg('--password') ?? PASSWORD;
    const base = new URL(server.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: clients + 2 });
    try {
      const login = await request(
        agent,
        base,
        'POST',
        '/api/auth/login',
        { 'content-type': 'application/json' },
        JSON.stringify({ username: 'admin', password }),
      );
      if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.body}`);
      const token = (JSON.parse(login.body ?? '') as { access_token: string }).access_token;
      const headers = { authorization: `Bearer ${token}` };
      const vcs = await request(agent, base, 'GET', '/api/vcenters', headers);
      const firstVc = (JSON.parse(vcs.body ?? '') as { name: string }[])[0]?.name ?? 'none';
      const scen = scenarios(firstVc);
      const probe = await request(agent, base, 'GET', '/api/vms?limit=1', headers);
      const vmTotal = (JSON.parse(probe.body ?? '') as { total: number }).total;
      log(`${int(vmTotal)} VMs in the cache`);

      // Warm-up: each scenario's first page once (statement caches, OS cache, totals).
      for (const s of scen) await request(agent, base, 'GET', `/api/vms?limit=${LIMIT}&${s.query}`, headers);

      const results: PhaseResult[] = [];
      const serverCpu = new Map<Mix, number>();
      const pid = server.child?.pid;
      for (const mix of mixes) {
        log('');
        log(`${mix}: ${clients} clients paging /api/vms for ${seconds} s …`);
        const cpu0 = serverCpuMs(pid);
        const r = await runPhase({ agent, base, headers, scen }, mix);
        const cpu1 = serverCpuMs(pid);
        report(r, scen, log);
        if (cpu0 !== undefined && cpu1 !== undefined && r.total.requests > 0) {
          const perRequestUs = ((cpu1 - cpu0) * 1000) / r.total.requests;
          serverCpu.set(mix, Math.round(perRequestUs));
          log(`server CPU: ${((cpu1 - cpu0) / 1000).toFixed(1)} s, ${int(perRequestUs)} µs per request`);
        }
        results.push(r);
      }
      const peakRssMb = serverPeakRssMb(pid);
      if (peakRssMb !== undefined) log(`server peak RSS: ${peakRssMb} MB`);

      const result = {
        bench: 'api',
        backend,
        date: new Date().toISOString(),
        host: {
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model ?? '',
          node: process.version,
          platform: process.platform,
        },
        server: server.how,
        serverPeakRssMb: peakRssMb ?? null,
        cache: { ...(external ? {} : size), vms: vmTotal, generateMs: Math.round(genMs) },
        clients,
        pageSize: { shared: LIMIT, distinct: [60, 159] },
        phases: Object.fromEntries(
          results.map((r) => [
            r.mix,
            { ...phaseJson(r, scen), serverCpuUsPerRequest: serverCpu.get(r.mix) ?? null },
          ]),
        ),
      };
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      const stamp = result.date
        .replace(/[:T]/g, '-')
        .replace(/\..*$/, '')
        .replace(/-(\d\d)-(\d\d)$/, '$1$2');
      const file = path.join(RESULTS_DIR, `api-${backend === 'postgres' ? 'pg-' : ''}${stamp}.json`);
      fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      log('');
      log(JSON.stringify(result));
      log(`written to ${path.relative(ROOT, file)}`);
    } finally {
      agent.destroy();
      if (server.child) await stopServer(server.child);
      if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
