import { VminerError } from '../../shared/errors.js';
import type { ContractResults, Handlers } from '../../shared/contract.js';
import { inventoryStats } from './db/stats.js';
import type { Engine } from './engine.js';
import { ListPages } from './list-pages.js';
import { normalizeThumbprint } from './vsphere/thumbprint.js';
import { normalizeVcenterUrl, probeVcenter } from './vsphere/probe.js';
import { createLogger } from './log.js';

const log = createLogger('api');

/** The engine's contract handlers: one per request, shared by every transport. */
export function createHandlers(
  engine: Engine,
  lists = new ListPages(engine.database.sqlite, engine.query),
): Handlers {
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
    'inventory.list': async (req) => lists.page(req),
    'stats.get': async () => inventoryStats(engine.database),
    'settings.get': async () => engine.settings.get(),
    'settings.update': async (patch) => {
      const { scheduler, ...rest } = patch;
      const next = engine.settings.update(rest);
      if (scheduler) engine.scheduler.configure(scheduler);
      return { ...next, scheduler: engine.settings.get().scheduler };
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
}
