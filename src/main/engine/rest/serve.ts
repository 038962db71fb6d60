import type { FastifyInstance } from 'fastify';
import type { Handlers } from '../../../shared/contract.js';
import { createHandlers } from '../api.js';
import { ListPages } from '../list-pages.js';
import type { Engine } from '../engine.js';
import { AuthService } from './auth.js';
import { buildRestServer, type RestOptions } from './server.js';
import { registerExportRoutes } from './export-routes.js';

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
}

/** SQLite's page cache while serving REST, in KiB. */
const REST_CACHE_KIB = 64 * 1024;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Builds the REST listener over an open engine and starts listening. */
export async function startRest(
  engine: Engine,
  opts: StartRestOptions,
): Promise<{ app: FastifyInstance; url: string; auth: AuthService }> {
  const auth = await AuthService.create(engine.database.db, engine.vault);
  // Clients paging different lists touch rows all over the table: a 64 MB page cache (16 MB by
  // default) takes a quarter off an uncached page's CPU on a 100k-VM cache (bench:api, distinct).
  engine.database.sqlite.pragma(`cache_size = -${REST_CACHE_KIB}`);
  const lists = new ListPages(engine.database.sqlite, engine.query);
  const app = await buildRestServer({
    handlers: opts.handlers ?? createHandlers(engine, lists),
    listJson: (req) => lists.json(req),
    auth,
    bus: engine.bus,
    version: opts.version,
    corsOrigins: opts.corsOrigins,
    ...(opts.uiRoot ? { uiRoot: opts.uiRoot } : {}),
    extend: (app, ctx) => {
      registerExportRoutes(app, engine, ctx);
      opts.extend?.(app, ctx);
    },
  });
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { app, url: `http://${host}:${port}`, auth };
}
