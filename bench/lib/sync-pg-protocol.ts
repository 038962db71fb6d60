/** What bench/sync-pg.bench.ts and its worker (bench/sync-pg-worker.ts) exchange. */
export interface SyncPgWorkerConfig {
  side: 'sqlite' | 'pg';
  /** SQLite: the data folder; PostgreSQL: this instance's log folder. */
  dataDir: string;
  /** PostgreSQL only: the migrated, empty team database and its password. */
  pgUrl?: string;
  pgPassword?: string;
  user: string;
  password: string;
  vcenters: { name: string; url: string; thumbprint: string }[];
}

export interface SyncPgWorkerResult {
  side: 'sqlite' | 'pg';
  firstMs: number;
  resyncMs: number;
  vms: number;
  failures: string[];
}

export const RESULT_PREFIX = 'RESULT ';
