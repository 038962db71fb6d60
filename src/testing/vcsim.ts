/**
 * Start and stop govmomi vCenter simulators (e2e/vcsim/main.go) for tests and benchmarks.
 *
 * One simulator process = one vCenter, served over HTTPS on 127.0.0.1 with its own self-signed
 * certificate. Every started process is tracked and killed when this Node process exits or gets
 * SIGINT/SIGTERM; the launcher itself also exits when its parent disappears.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

export interface SimulatorOptions {
  datacenters?: number;
  clusters?: number;
  hostsPerCluster?: number;
  standaloneHosts?: number;
  vms?: number;
  datastores?: number;
  portgroups?: number;
  delayMs?: number;
  seed?: number;
  user?: string;
  password?: string;
  instanceUuid?: string;
  namePrefix?: string;
  port?: number;
  /** Keep the certificate in this folder, so a restart (same port) presents the same one. */
  tlsDir?: string;
  /** Report maintenance-mode and vm-list changes to WaitForUpdatesEx (default on; see live_updates.go). */
  emitUpdates?: boolean;
  /** Serve no tagging REST API (like a vCenter whose vAPI endpoint is down). */
  noTagging?: boolean;
}

export interface SimulatorCounts {
  vms: number;
  hosts: number;
  clusters: number;
  datastores: number;
  networks: number;
}

export interface RunningSimulator {
  url: string;
  host: string;
  port: number;
  pid: number;
  counts: SimulatorCounts;
  /** Uppercase hex, colon separated, like `openssl x509 -fingerprint -sha256`. */
  thumbprintSha256: string;
  certificatePem: string;
  /** SIGTERM, wait for the exit, remove the temp dir. */
  stop(): Promise<void>;
  /** SIGKILL now (for mid-sync crash tests). The temp dir is removed once the process is gone. */
  kill(): void;
}

/** The launcher's Go sources and its build live with the other end-to-end material. */
const VCSIM_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'e2e', 'vcsim');
const BIN_DIR = path.join(VCSIM_DIR, 'bin');
const BIN_PATH = path.join(BIN_DIR, 'vcsim');
const STAMP_PATH = path.join(BIN_DIR, 'vcsim.stamp');
const GOPATH = '/usr/share/gocode';
const GOVMOMI_SIMULATOR = path.join(GOPATH, 'src/github.com/vmware/govmomi/simulator');
const APT_HINT = 'apt-get install -y golang-go golang-github-vmware-govmomi-dev';
const START_CONCURRENCY = 4;

// ------------------------------------------------------------------------------------------
// build

let buildPromise: Promise<string> | undefined;

/**
 * Builds e2e/vcsim/bin/vcsim once (GOPATH mode against Debian's govmomi source) and rebuilds
 * only when the Go sources changed (hash stamp next to the binary). Returns the binary path.
 */
export function ensureVcsimBinary(): Promise<string> {
  buildPromise ??= buildIfNeeded().catch((err: unknown) => {
    buildPromise = undefined;
    throw err;
  });
  return buildPromise;
}

async function sourceHash(): Promise<string> {
  const files = (await readdir(VCSIM_DIR)).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go')).sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f);
    h.update('\0');
    h.update(await readFile(path.join(VCSIM_DIR, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function buildIfNeeded(): Promise<string> {
  const hash = await sourceHash();
  if (existsSync(BIN_PATH) && existsSync(STAMP_PATH)) {
    const stamp = (await readFile(STAMP_PATH, 'utf8')).trim();
    if (stamp === hash) return BIN_PATH;
  }

  const env: NodeJS.ProcessEnv = { ...process.env, GOPATH, GO111MODULE: 'off', CGO_ENABLED: '0' };
  let version: RunResult;
  try {
    version = await run('go', ['version'], env, VCSIM_DIR);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `Cannot build the vCenter simulator: the Go toolchain (\`go\`) was not found (${code ?? String(err)}). ` +
        `Install it with: ${APT_HINT}`,
      { cause: err },
    );
  }
  if (version.code !== 0) {
    throw new Error(
      `Cannot build the vCenter simulator: \`go version\` failed: ${version.stderr.trim()}. Install with: ${APT_HINT}`,
    );
  }
  if (!existsSync(GOVMOMI_SIMULATOR)) {
    throw new Error(
      `Cannot build the vCenter simulator: the govmomi source is missing (${GOVMOMI_SIMULATOR}). Install it with: ${APT_HINT}`,
    );
  }

  await mkdir(BIN_DIR, { recursive: true });
  const tmpOut = `${BIN_PATH}.tmp-${process.pid}`;
  const res = await run('go', ['build', '-o', tmpOut, '.'], env, VCSIM_DIR);
  if (res.code !== 0) {
    await rm(tmpOut, { force: true });
    throw new Error(
      `Building the vCenter simulator failed (go build, exit ${String(res.code)}):\n${tail(res.stderr, 4000)}`,
    );
  }
  await rename(tmpOut, BIN_PATH); // atomic: concurrent builders never see a half-written binary
  await writeFile(STAMP_PATH, `${hash}\n`);
  return BIN_PATH;
}

// ------------------------------------------------------------------------------------------
// process tracking

interface Tracked {
  child: ChildProcess;
  tmpDir: string;
  exited: Promise<void>;
}

const live = new Set<Tracked>();
let handlersInstalled = false;

function killAllSync(): void {
  for (const t of live) {
    try {
      t.child.kill('SIGKILL');
    } catch {
      // already gone
    }
    try {
      rmSync(t.tmpDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      killAllSync();
      // Keep the default "terminate" behaviour when nobody else handles the signal.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

// ------------------------------------------------------------------------------------------
// start / stop

function tail(s: string, max: number): string {
  return s.length <= max ? s : `…${s.slice(s.length - max)}`;
}

function intArg(name: string, value: number | undefined, min = 0): string[] {
  if (value === undefined) return [];
  if (!Number.isInteger(value) || value < min)
    throw new Error(`SimulatorOptions.${name} must be an integer >= ${min}`);
  return [`-${name}`, String(value)];
}

function buildArgs(o: SimulatorOptions): string[] {
  if ((o.user === undefined) !== (o.password === undefined)) {
    throw new Error('SimulatorOptions.user and .password must be given together');
  }
  const args = [
    ...intArg('datacenter', o.datacenters, 1),
    ...intArg('cluster', o.clusters),
    ...intArg('host', o.hostsPerCluster),
    ...intArg('standalone-host', o.standaloneHosts),
    ...intArg('vm', o.vms),
    ...intArg('ds', o.datastores, 1),
    ...intArg('pg', o.portgroups),
    ...intArg('delay', o.delayMs),
    ...intArg('port', o.port),
  ];
  if (o.seed !== undefined) {
    if (!Number.isSafeInteger(o.seed)) throw new Error('SimulatorOptions.seed must be an integer');
    args.push('-seed', String(o.seed));
  }
  if (o.user !== undefined && o.password !== undefined) args.push('-user', o.user, '-password', o.password);
  if (o.instanceUuid !== undefined) args.push('-instance-uuid', o.instanceUuid);
  if (o.namePrefix !== undefined) args.push('-name-prefix', o.namePrefix);
  if (o.tlsDir !== undefined) args.push('-tls-dir', o.tlsDir);
  if (o.emitUpdates === false) args.push('-emit-updates=false');
  if (o.noTagging) args.push('-no-tagging');
  args.push('-exit-with-parent');
  return args;
}

interface ReadyLine extends SimulatorCounts {
  url: string;
}

function parseReady(line: string): ReadyLine {
  const v: unknown = JSON.parse(line);
  if (typeof v !== 'object' || v === null) throw new Error(`unexpected simulator output: ${line}`);
  const r = v as Record<string, unknown>;
  const num = (k: string): number => {
    const x = r[k];
    if (typeof x !== 'number') throw new Error(`simulator ready line lacks "${k}": ${line}`);
    return x;
  };
  if (typeof r.url !== 'string') throw new Error(`simulator ready line lacks "url": ${line}`);
  return {
    url: r.url,
    vms: num('vms'),
    hosts: num('hosts'),
    clusters: num('clusters'),
    datastores: num('datastores'),
    networks: num('networks'),
  };
}

function fetchCertificate(host: string, port: number): Promise<{ pem: string; thumbprint: string }> {
  return new Promise((resolve, reject) => {
    // Only for reading the simulator's self-signed certificate: no trust decision is made here.
    const socket = tls.connect({ host, port, rejectUnauthorized: false });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`TLS connect to ${host}:${port} timed out`)));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(false);
      socket.end();
      if (!peer.raw) {
        reject(new Error(`no certificate from ${host}:${port}`));
        return;
      }
      const cert = new X509Certificate(peer.raw);
      resolve({ pem: cert.toString(), thumbprint: cert.fingerprint256.toUpperCase() });
    });
  });
}

function startupTimeoutMs(o: SimulatorOptions): number {
  const vms = o.vms ?? 4;
  return 30_000 + vms * 15;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const args = buildArgs(opts);
  const bin = await ensureVcsimBinary();
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'vminer-vcsim-'));
  installHandlers();

  const child = spawn(bin, args, {
    env: { ...process.env, TMPDIR: tmpDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      exitCode = code;
      exitSignal = signal;
      resolve();
    });
  });
  const tracked: Tracked = { child, tmpDir, exited };
  live.add(tracked);
  void exited.then(async () => {
    live.delete(tracked);
    await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  });

  let stderr = '';
  // VMINER_VCSIM_LOG=FILE keeps every simulator's log (to debug a simulator-side failure).
  const logFile = process.env['VMINER_VCSIM_LOG'];
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = tail(stderr + d, 16_000);
    if (logFile) appendFileSync(logFile, d);
  });

  const timeoutMs = startupTimeoutMs(opts);
  let ready: ReadyLine;
  try {
    ready = await new Promise<ReadyLine>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => {
        reject(new Error(`simulator did not become ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onData = (d: string): void => {
        buf += d;
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        try {
          resolve(parseReady(buf.slice(0, nl).trim()));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      };
      child.stdout?.setEncoding('utf8').on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(
          new Error(
            `simulator exited before it was ready (code ${String(exitCode)}, signal ${String(exitSignal)})`,
          ),
        );
      });
    });
  } catch (err) {
    if (!hasExited) child.kill('SIGKILL');
    await exited;
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(
      `${msg}\nvcsim ${args.join(' ')}\n--- simulator stderr (tail) ---\n${tail(stderr, 4000)}`,
      {
        cause: err,
      },
    );
  }
  // Keep draining stdout so the pipe never fills.
  child.stdout?.resume();

  const url = new URL(ready.url);
  const host = url.hostname;
  const port = Number(url.port);
  let cert: { pem: string; thumbprint: string };
  try {
    cert = await fetchCertificate(host, port);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }

  const vms = ready.vms;
  const stop = async (): Promise<void> => {
    if (!hasExited) {
      child.kill('SIGTERM');
      const grace = 10_000 + vms * 2;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        exited,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, grace);
        }),
      ]);
      clearTimeout(timer);
      if (!hasExited) child.kill('SIGKILL');
    }
    await exited;
    live.delete(tracked);
    await rm(tmpDir, { recursive: true, force: true });
  };

  return {
    url: ready.url,
    host,
    port,
    pid: child.pid ?? -1,
    counts: {
      vms: ready.vms,
      hosts: ready.hosts,
      clusters: ready.clusters,
      datastores: ready.datastores,
      networks: ready.networks,
    },
    thumbprintSha256: cert.thumbprint,
    certificatePem: cert.pem,
    stop,
    kill: () => {
      if (!hasExited) child.kill('SIGKILL');
    },
  };
}

/** Starts n simulators, at most 4 at a time; on any failure the started ones are stopped. */
export async function startSimulators(
  n: number,
  opts: (i: number) => SimulatorOptions,
): Promise<RunningSimulator[]> {
  const results: (RunningSimulator | undefined)[] = new Array<RunningSimulator | undefined>(n).fill(
    undefined,
  );
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < n) {
      const i = next++;
      try {
        results[i] = await startSimulator(opts(i));
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await ensureVcsimBinary();
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, n) }, worker));
  const started = results.filter((r): r is RunningSimulator => r !== undefined);
  if (failure !== undefined) {
    await Promise.all(started.map((s) => s.stop()));
    throw failure instanceof Error ? failure : new Error(String(failure));
  }
  return started;
}

/** Stops every simulator this process started (SIGTERM, then SIGKILL after a grace period). */
export async function stopAll(): Promise<void> {
  const all = [...live];
  await Promise.all(
    all.map(async (t) => {
      if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        t.exited,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 20_000);
        }),
      ]);
      clearTimeout(timer);
      if (t.child.exitCode === null && t.child.signalCode === null) t.child.kill('SIGKILL');
      await t.exited;
      live.delete(t);
      await rm(t.tmpDir, { recursive: true, force: true });
    }),
  );
}

/** Number of simulator processes this module currently tracks as alive (for tests). */
export function liveSimulatorCount(): number {
  return live.size;
}
