/**
 * What the benchmark harness sends to bench/sync-worker.ts (one JSON document on stdin) and what
 * the worker answers (one `RESULT {json}` line on stdout). The password travels on stdin, never
 * on a command line.
 */

export interface WorkerVcenter {
  name: string;
  url: string;
  /** SHA-256 thumbprint of the simulator's certificate: the engine pins it. */
  thumbprint: string;
}

export interface WorkerConfig {
  /** A fresh, empty data folder for this run. */
  dataDir: string;
  user: string;
  password: string;
  /** Sync concurrency; omitted = the engine's default setting. */
  workers?: number;
  vcenters: WorkerVcenter[];
  /** When set, a V8 CPU profile of the sync call alone (not start-up) is written to this file. */
  cpuProfileFile?: string;
}

export interface WorkerFailure {
  vcenter: string;
  code: string;
  message: string;
}

export interface WorkerResult {
  /** Wall time of `engine.sync.sync()` (collect + store of every vCenter), measured around the call. */
  wallMs: number;
  /** The engine's own SyncSummary.durationMs. */
  engineMs: number;
  /**
   * Main-thread time spent storing (sum over vCenters of 'storing' -> 'finished'): the SQLite
   * replace is synchronous, so this is time no answer could be parsed either.
   */
  storeMs: number;
  /** Managed objects collected (all vCenters; includes folders and resource pools). */
  objects: number;
  /** Rows stored in the entity tables (vms, hosts, datastores, clusters, datacenters, networks, snapshots). */
  rows: number;
  vms: number;
  /** vminer.db + vminer.db-wal after a TRUNCATE checkpoint. */
  dbBytes: number;
  /** process.resourceUsage().maxRSS of the worker (the engine alone), in MB. */
  maxRssMb: number;
  /** Peaks of periodic process.memoryUsage() samples (approximate: taken between tasks). */
  peakHeapUsedMb: number;
  peakExternalMb: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Sync concurrency the engine used. */
  workers: number;
  perVcenterMs: { min: number; median: number; max: number };
  failures: WorkerFailure[];
}

export const RESULT_PREFIX = 'RESULT ';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseWorkerConfig(v: unknown): WorkerConfig {
  if (!isRecord(v)) throw new Error('worker config: not an object');
  const { dataDir, user, password, workers, vcenters, cpuProfileFile } = v;
  if (typeof dataDir !== 'string' || typeof user !== 'string' || typeof password !== 'string') {
    throw new Error('worker config: dataDir, user and password must be strings');
  }
  if (workers !== undefined && typeof workers !== 'number') throw new Error('worker config: bad workers');
  if (cpuProfileFile !== undefined && typeof cpuProfileFile !== 'string') {
    throw new Error('worker config: bad cpuProfileFile');
  }
  if (!Array.isArray(vcenters)) throw new Error('worker config: vcenters must be an array');
  const list = vcenters.map((x: unknown, i): WorkerVcenter => {
    if (
      !isRecord(x) ||
      typeof x.name !== 'string' ||
      typeof x.url !== 'string' ||
      typeof x.thumbprint !== 'string'
    ) {
      throw new Error(`worker config: vcenters[${i}] needs name, url and thumbprint`);
    }
    return { name: x.name, url: x.url, thumbprint: x.thumbprint };
  });
  return { dataDir, user, password, workers, vcenters: list, cpuProfileFile };
}

/** Finds the RESULT line in a worker's stdout. The shape is ours, so a light check suffices. */
export function parseWorkerResult(stdout: string): WorkerResult {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) throw new Error('the sync worker printed no RESULT line');
  const v: unknown = JSON.parse(line.slice(RESULT_PREFIX.length));
  if (!isRecord(v) || typeof v.wallMs !== 'number' || typeof v.maxRssMb !== 'number') {
    throw new Error(`unexpected worker result: ${line.slice(0, 200)}`);
  }
  return v as unknown as WorkerResult;
}
