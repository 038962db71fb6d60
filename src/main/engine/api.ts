import type Database from 'better-sqlite3';
import { VminerError } from '../../shared/errors.js';
import type { ContractResults, Handlers, ListResult } from '../../shared/contract.js';
import { fieldDef } from '../../shared/fields.js';
import type { QueryPlan } from '../../shared/query.js';
import { inventoryStats } from './db/stats.js';
import type { Engine } from './engine.js';
import { encodeCursor, pageQuery, preferOrder } from './query/planner.js';
import { normalizeThumbprint } from './vsphere/thumbprint.js';
import { normalizeVcenterUrl, probeVcenter } from './vsphere/probe.js';
import { createLogger } from './log.js';

const log = createLogger('api');

/** The engine's contract handlers: one per request, shared by every transport. */
export function createHandlers(engine: Engine): Handlers {
  const sqlite = engine.database.sqlite;
  const statements = new Map<string, Database.Statement>();
  const withState = (id: number): ContractResults['vcenters.get'] => {
    const v = engine.repo.list().find((x) => x.id === id);
    if (!v) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
    return v;
  };

  return {
    'vcenters.list': async () => engine.repo.list(),
    'vcenters.get': async ({ id }) => withState(id),
    'vcenters.probe': async ({ url }) => {
      const p = await probeVcenter(url);
      const { pem: _pem, ...certificate } = p.certificate;
      return { url: p.url, certificate, about: p.about };
    },
    'vcenters.add': async (a) => {
      const url = normalizeVcenterUrl(a.url);
      let thumbprint = a.thumbprint ? normalizeThumbprint(a.thumbprint) : null;
      if (a.trustPresentedCert) thumbprint = (await probeVcenter(url)).certificate.thumbprintSha256;
      const info = engine.repo.add({
        name: a.name,
        url,
        username: a.username,
        thumbprint,
        caPem: a.caPem ?? null,
      });
      await engine.setPassword(info.id, a.password);
      engine.reconfigured();
      return withState(info.id);
    },
    'vcenters.update': async ({ id, password, ...patch }) => {
      withState(id);
      const next: Parameters<typeof engine.repo.update>[1] = {};
      if (patch.name !== undefined) next.name = patch.name;
      if (patch.url !== undefined) next.url = normalizeVcenterUrl(patch.url);
      if (patch.username !== undefined) next.username = patch.username;
      if (patch.thumbprint !== undefined)
        next.thumbprint = patch.thumbprint ? normalizeThumbprint(patch.thumbprint) : null;
      if (patch.caPem !== undefined) next.caPem = patch.caPem;
      if (patch.enabled !== undefined) next.enabled = patch.enabled;
      if (Object.keys(next).length > 0) engine.repo.update(id, next);
      if (password !== undefined) await engine.setPassword(id, password);
      engine.reconfigured();
      return withState(id);
    },
    'vcenters.remove': async ({ id }) => ({ removed: await engine.removeVcenter(id) }),
    'sync.start': async ({ vcenterIds }) => {
      const ids =
        vcenterIds ??
        engine.repo
          .list()
          .filter((v) => v.enabled)
          .map((v) => v.id);
      for (const i of ids) withState(i);
      engine.sync.sync(ids).catch((err: unknown) => log.error('sync failed', { error: String(err) }));
      return { started: ids };
    },
    'sync.cancel': async ({ vcenterIds }) => {
      engine.sync.cancel(vcenterIds);
      return { cancelled: true };
    },
    'query.ask': async (req) => engine.query.ask(req),
    'inventory.list': async (req) => listPage(engine, req),
    'stats.get': async () => inventoryStats(engine.database),
    'settings.get': async () => engine.settings.get(),
    'settings.update': async (patch) => {
      const { scheduler, ...rest } = patch;
      const next = engine.settings.update(rest);
      if (scheduler) engine.scheduler.configure(scheduler);
      engine.reconfigured();
      return { ...next, scheduler: engine.settings.get().scheduler };
    },
    'live.status': async () => {
      const s = engine.settings.get();
      return {
        mode: s.updateMode,
        paused: s.paused,
        running: engine.live.running,
        sessions: engine.live.sessionsInfo(),
      };
    },
    'scheduler.start': async () => engine.scheduler.start(),
    'scheduler.stop': async () => engine.scheduler.stop(),
    'scheduler.configure': async (c) => {
      const patch: { intervalMinutes?: number; cron?: string | null } = {};
      if (c.intervalMinutes !== undefined) patch.intervalMinutes = c.intervalMinutes;
      if (c.cron !== undefined) patch.cron = c.cron;
      return engine.scheduler.configure(patch);
    },
  } satisfies Handlers;

  function listPage(e: Engine, req: Parameters<Handlers['inventory.list']>[0]): ListResult {
    const plan: QueryPlan = { entity: req.entity };
    if (req.filter) plan.filter = req.filter;
    if (req.sort) {
      for (const s of req.sort) {
        if (!fieldDef(req.entity, s.field))
          throw new VminerError('INVALID_INPUT', `cannot sort ${req.entity} by "${s.field}"`);
      }
      plan.sort = req.sort;
    }
    const total = e.query.countOf(plan);
    const q = pageQuery(plan, {
      limit: req.limit,
      cursor: req.cursor,
      offset: req.offset,
      preferOrder: preferOrder(plan, total),
    });
    let stmt = statements.get(q.sql);
    if (!stmt) {
      stmt = sqlite.prepare(q.sql);
      if (statements.size > 200) statements.clear();
      statements.set(q.sql, stmt);
    }
    const items = stmt.all(...q.params) as Record<string, unknown>[];
    // The cursor holds the row's SQL values: taken before booleans become true/false (a cursor
    // with `true` in it would not decode, so paging a list sorted by a boolean field failed).
    const last = items.at(-1);
    const nextCursor = items.length === req.limit && last ? encodeCursor(plan, last) : null;
    for (const r of items)
      for (const [k, v] of Object.entries(r))
        if (fieldDef(req.entity, k)?.type === 'boolean' && v !== null) r[k] = v === 1;
    return { items, total, nextCursor };
  }
}
