import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Handlers, ListRequest } from '../../../shared/contract.js';
import { createHandlers } from '../api.js';
import type { JsonPage } from '../list-pages.js';
import type { ServingEngine, SqliteServing } from '../serving-engine.js';
import type { AuthService } from '../auth/auth-service.js';
import { FairQueue } from './fair-queue.js';
import { PagePool } from './page-pool.js';
import { buildRestServer, type RestOptions } from './server.js';
import { registerExportRoutes } from './export-routes.js';
import { isLoopback, loopbackHostNames } from './loopback.js';
import type { EventLimits } from './events-route.js';

export interface StartRestOptions {
  host: string;
  port: number;
  version: string;
  corsOrigins?: string[];
  extend?: RestOptions['extend'];
  /** Folder of the built UI to serve at `/` (see `findUiRoot`); no UI when absent. */
  uiRoot?: string | null;
  /** The contract handlers to serve (default: `createHandlers(engine)`); the desktop host wraps them. */
  handlers?: Handlers;
  /** Worker threads building list pages (default `defaultPageWorkers()`); 0 builds them in the event loop. */
  pageWorkers?: number;
  /** Proxies whose `X-Forwarded-For` is believed (see `RestOptions.trustedProxies`). */
  trustedProxies?: readonly string[] | undefined;
  /** More host names a loopback listener answers to (the name a reverse proxy passes on). */
  allowedHosts?: readonly string[] | undefined;
  /** Caps on open event streams (tests lower them). */
  eventLimits?: EventLimits;
  /** A line per request goes here (see access-log.ts). */
  accessLog?: RestOptions['accessLog'];
}

/**
 * `VMINER_PAGE_WORKERS` (0: build pages in the event loop), else one per core, at most 4. (On 2
 * cores, 2 workers served 864 uncached pages/s against 708 with 1 and 588 with none: bench:api.)
 */
export function defaultPageWorkers(): number {
  const raw = process.env['VMINER_PAGE_WORKERS'];
  const env = Number(raw);
  if (raw !== undefined && raw !== '' && Number.isInteger(env) && env >= 0) return env;
  return Math.min(4, Math.max(1, os.availableParallelism()));
}

/** SQLite's page cache while serving REST, in KiB. */
const REST_CACHE_KIB = 64 * 1024;

export { isLoopback, loopbackHostNames };

/** How a SQLite engine builds list pages for REST: worker threads, or turns in the event loop. */
function sqlitePages(
  engine: SqliteServing,
  workers: number,
): { listJson: (req: ListRequest) => Promise<JsonPage>; close: () => Promise<void> } {
  // Clients paging different lists touch rows all over the table: a 64 MB page cache (16 MB by
  // default) takes a quarter off an uncached page's CPU on a 100k-VM cache (bench:api, distinct).
  engine.database.sqlite.pragma(`cache_size = -${REST_CACHE_KIB}`);
  const lists = engine.lists;
  // Without workers, page builds take turns with new connections and with each other.
  const turns = new FairQueue();
  const inThread = (req: ListRequest): Promise<JsonPage> => turns.run(() => lists.json(req));
  const pool = PagePool.create({
    workers,
    dataDir: engine.dataDir,
    cacheKib: REST_CACHE_KIB,
    memory: lists.memory,
    fallback: inThread,
  });
  return {
    listJson: pool ? (req) => pool.json(req) : inThread,
    close: async () => {
      await pool?.close();
    },
  };
}

/** Builds the REST listener over an open engine (either back end) and starts listening. */
export async function startRest(
  engine: ServingEngine,
  opts: StartRestOptions,
): Promise<{ app: FastifyInstance; url: string; auth: AuthService }> {
  const auth = await engine.authService();
  // PostgreSQL builds its JSON pages itself (PgListPages), on the query pool: no worker threads.
  const pages =
    engine.backend === 'sqlite'
      ? sqlitePages(engine, opts.pageWorkers ?? defaultPageWorkers())
      : { listJson: (req: ListRequest) => engine.listJson(req), close: async () => undefined };
  const app = await buildRestServer({
    handlers: opts.handlers ?? createHandlers(engine),
    listJson: pages.listJson,
    health: () => engine.health(),
    auth,
    bus: engine.bus,
    version: opts.version,
    corsOrigins: opts.corsOrigins,
    ...(isLoopback(opts.host) ? { allowedHosts: loopbackHostNames(opts.host, opts.allowedHosts) } : {}),
    ...(opts.trustedProxies ? { trustedProxies: opts.trustedProxies } : {}),
    ...(opts.eventLimits ? { eventLimits: opts.eventLimits } : {}),
    ...(opts.accessLog ? { accessLog: opts.accessLog } : {}),
    ...(opts.uiRoot ? { uiRoot: opts.uiRoot } : {}),
    extend: (app, ctx) => {
      registerExportRoutes(app, engine, ctx);
      opts.extend?.(app, ctx);
    },
  });
  app.addHook('onClose', () => pages.close());
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { app, url: `http://${host}:${port}`, auth };
}
