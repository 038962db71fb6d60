/**
 * Whole-process measurements for the sync benchmark: `vminer sync` run as installed (the built
 * CLI, plain `node`), the pyvmomi reference run as a script, and the simulator's own answer time
 * (the same retrieval read without parsing). Where a vMiner run's time went comes from the
 * engine's log: the `synced` line of each vCenter carries its phases.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { moRefXml } from '../../src/main/engine/vsphere/soap-client.js';
import { viewSpecXml } from '../../src/main/engine/vsphere/property-collector.js';
import { PROPERTY_PATHS, VIEW_TYPES } from '../../src/main/engine/vsphere/properties.js';
import { child, childText, escapeXml, parseSoap, type XNode } from '../../src/main/engine/vsphere/xml.js';
import type { RunningSimulator } from '../../src/testing/vcsim.js';
import { runProcess } from './proc.js';

const TIME_BIN = '/usr/bin/time';

/** CPU and memory of a finished child, from GNU time (null where it is not installed). */
export interface ChildUsage {
  cpuMs: number;
  maxRssMb: number;
}

export interface TimedProcess {
  wallMs: number;
  usage: ChildUsage | null;
  stdout: string;
}

export async function timed(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; tmpDir: string },
): Promise<TimedProcess & { startedAt: number }> {
  const useTime = fs.existsSync(TIME_BIN);
  const out = path.join(opts.tmpDir, `time-${randomBytes(4).toString('hex')}.txt`);
  const startedAt = Date.now();
  const res = await runProcess(
    useTime ? TIME_BIN : cmd,
    useTime ? ['-f', '%e %U %S %M', '-o', out, cmd, ...args] : args,
    { cwd: opts.cwd, env: opts.env, input: opts.input, timeoutMs: 300_000 },
  );
  if (res.code !== 0) {
    throw new Error(
      `${path.basename(cmd)} exited with ${String(res.code ?? res.signal)}:\n${res.stderr.slice(-4000)}`,
    );
  }
  let usage: ChildUsage | null = null;
  if (useTime) {
    const [, user, sys, rssKb] = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .pop()!
      .split(' ')
      .map(Number);
    fs.rmSync(out, { force: true });
    usage = { cpuMs: (user! + sys!) * 1000, maxRssMb: rssKb! / 1024 };
  }
  return { wallMs: res.ms, usage, stdout: res.stdout, startedAt };
}

/** Where one `vminer sync` run spent its time, in ms (medians are taken per field). */
export interface CliSplit {
  /** From spawning the process to the sync's start: Node, module loading, opening the engine. */
  startupMs: number;
  /** TLS, login and the container view (summed over the vCenters). */
  connectMs: number;
  /** Waiting for the retrieval answers to start: the simulator at work (summed). */
  waitMs: number;
  /** Reading and parsing the answers as they arrive (summed). */
  readMs: number;
  mapMs: number;
  storeMs: number;
  /** The sync's wall time not in the phases above (overlap of concurrent vCenters makes it negative). */
  otherSyncMs: number;
  /** Planner statistics after the sync (`post-sync maintenance`). */
  plannerMs: number;
  /** From the sync's end to the process exit, planner statistics excluded: output, closing, exit. */
  exitMs: number;
}

export interface CliRun extends TimedProcess {
  split: CliSplit;
  objects: number;
  rowsWritten: number;
  failures: string[];
}

export interface CliEnv {
  cli: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  tmpDir: string;
  cwd: string;
}

/** A fresh data folder with the simulators added through the CLI (pinned thumbprints, env vault key). */
export async function prepareCli(
  root: string,
  tmpDir: string,
  sims: RunningSimulator[],
  prefix: string,
  user: string,
  password: string,
): Promise<CliEnv> {
  const dataDir = fs.mkdtempSync(path.join(tmpDir, `cli-${prefix}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VMINER_DATA_DIR: dataDir,
    // The key of a throw-away vault: no keychain is asked, no key file written.
    VMINER_SECRET_KEY: randomBytes(32).toString('hex'),
  };
  const cli = path.join(root, 'out', 'main', 'cli.js');
  for (const [i, sim] of sims.entries()) {
    const name = `${prefix}-vc${String(i + 1).padStart(2, '0')}`;
    const args = ['vcenter', 'add', name, '--url', sim.url, '--user', user, '--password-stdin'];
    const res = await runProcess(process.execPath, [cli, ...args, '--thumbprint', sim.thumbprintSha256], {
      cwd: root,
      env,
      input: password,
      timeoutMs: 60_000,
    });
    if (res.code !== 0) throw new Error(`vminer vcenter add failed:\n${res.stderr}`);
  }
  return { cli, dataDir, env, tmpDir, cwd: root };
}

interface LogLine {
  msg?: string;
  ms?: number;
  objects?: number;
  rowsWritten?: number;
  phases?: Record<string, number>;
}

/** One `vminer sync --json`, whole process. */
export async function runCliSync(c: CliEnv, nodeFlags: string[] = []): Promise<CliRun> {
  const logFile = path.join(c.dataDir, 'logs', 'vminer.log');
  const logFrom = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const run = await timed(process.execPath, [...nodeFlags, c.cli, 'sync', '--json'], {
    cwd: c.cwd,
    env: c.env,
    tmpDir: c.tmpDir,
  });
  const exitedAt = run.startedAt + run.wallMs;
  const summary = JSON.parse(run.stdout) as {
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    results: { vcenter: string; status: string; error: { code: string; message: string } | null }[];
  };
  const lines = fs
    .readFileSync(logFile, 'utf8')
    .slice(logFrom)
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine);
  const synced = lines.filter((l) => l.msg === 'synced');
  const sum = (k: string): number => synced.reduce((a, l) => a + (l.phases?.[k] ?? 0), 0);
  const plannerMs = lines.find((l) => l.msg === 'post-sync maintenance')?.ms ?? 0;
  const split: CliSplit = {
    startupMs: Date.parse(summary.startedAt) - run.startedAt,
    connectMs: sum('connectMs') + sum('loginMs') + sum('viewMs'),
    waitMs: sum('waitMs'),
    readMs: sum('readMs'),
    mapMs: sum('mapMs'),
    storeMs: sum('storeMs'),
    otherSyncMs: 0,
    plannerMs,
    exitMs: exitedAt - Date.parse(summary.finishedAt) - plannerMs,
  };
  split.otherSyncMs =
    summary.durationMs - (split.connectMs + split.waitMs + split.readMs + split.mapMs + split.storeMs);
  return {
    ...run,
    split,
    objects: synced.reduce((a, l) => a + (l.objects ?? 0), 0),
    rowsWritten: synced.reduce((a, l) => a + (l.rowsWritten ?? 0), 0),
    failures: summary.results
      .filter((r) => r.status !== 'ok')
      .map((r) => `${r.vcenter}: ${r.error?.code ?? r.status} ${r.error?.message ?? ''}`),
  };
}

export interface PyvmomiProcess extends TimedProcess {
  /** The script's own figure: its collection, without Python's start-up and imports. */
  collectMs: number;
  objects: number;
}

/** The pyvmomi reference as a whole process, like `vminer sync`. */
export async function runPyvmomiProcess(
  python: string,
  script: string,
  pathsJson: string,
  sims: RunningSimulator[],
  user: string,
  password: string,
  workers: number,
  cwd: string,
  tmpDir: string,
): Promise<PyvmomiProcess> {
  const args = [script, '--user', user, '--password', password, '--paths-json', pathsJson];
  const run = await timed(python, [...args, '--workers', String(workers), ...sims.map((x) => x.url)], {
    cwd,
    tmpDir,
  });
  const v = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; objects: number };
  return { ...run, collectMs: v.seconds * 1000, objects: v.objects };
}

export interface SimulatorAnswer {
  /** Request sent → first byte of the answer: the simulator building it. */
  firstByteMs: number;
  /** Request sent → last byte, read without parsing. */
  lastByteMs: number;
  bytes: number;
}

/**
 * The simulator alone: vMiner's retrieval (same view, same property paths) sent and read to the
 * end without parsing, `times` times on one connection. The floor any collector of this data
 * has to wait out on this machine.
 */
export async function simulatorAnswer(
  sim: RunningSimulator,
  user: string,
  password: string,
  times: number,
): Promise<SimulatorAnswer[]> {
  const url = new URL(sim.url);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
  let cookie = '';
  const post = (method: string, inner: string): Promise<SimulatorAnswer & { text: string }> =>
    new Promise((resolve, reject) => {
      const body =
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        `<soapenv:Body><${method} xmlns="urn:vim25">${inner}</${method}></soapenv:Body></soapenv:Envelope>`;
      const keep = method !== 'RetrievePropertiesEx';
      const chunks: Buffer[] = [];
      const t0 = performance.now();
      let first = 0;
      let bytes = 0;
      const req = https.request(
        {
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: 'urn:vim25/6.5', Cookie: cookie },
        },
        (res) => {
          const set = res.headers['set-cookie']?.find((c) => c.startsWith('vmware_soap_session'));
          if (set) cookie = set.split(';')[0]!;
          res.on('data', (d: Buffer) => {
            if (first === 0) first = performance.now();
            bytes += d.length;
            if (keep) chunks.push(d);
          });
          res.on('end', () =>
            resolve({
              firstByteMs: first - t0,
              lastByteMs: performance.now() - t0,
              bytes,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const returnval = (text: string): XNode | undefined => {
    const body = child(parseSoap(text), 'Body');
    return child(body?.children[0], 'returnval');
  };
  try {
    const rv = returnval(
      (await post('RetrieveServiceContent', moRefXml('_this', 'ServiceInstance', 'ServiceInstance'))).text,
    );
    const ref = (name: string): string => childText(rv, name) ?? '';
    await post(
      'Login',
      moRefXml('_this', 'SessionManager', ref('sessionManager')) +
        `<userName>${escapeXml(user)}</userName><password>${escapeXml(password)}</password>`,
    );
    const view = returnval(
      (
        await post(
          'CreateContainerView',
          moRefXml('_this', 'ViewManager', ref('viewManager')) +
            moRefXml('container', 'Folder', ref('rootFolder')) +
            VIEW_TYPES.map((t) => `<type>${t}</type>`).join('') +
            '<recursive>true</recursive>',
        )
      ).text,
    )?.text;
    if (!view) throw new Error(`${sim.url}: CreateContainerView returned no view`);
    const retrieve =
      moRefXml('_this', 'PropertyCollector', ref('propertyCollector')) +
      `<specSet>${viewSpecXml(view, PROPERTY_PATHS)}</specSet><options><maxObjects>1000</maxObjects></options>`;
    const out: SimulatorAnswer[] = [];
    for (let i = 0; i < times; i++) {
      const a = await post('RetrievePropertiesEx', retrieve);
      out.push({ firstByteMs: a.firstByteMs, lastByteMs: a.lastByteMs, bytes: a.bytes });
    }
    await post('Logout', moRefXml('_this', 'SessionManager', ref('sessionManager')));
    return out;
  } finally {
    agent.destroy();
  }
}
