import { isAbsolute } from 'node:path';
import { VminerError } from '../../shared/errors.js';
import { CONTRACT, type ContractResults, type Handlers, type RequestName } from '../../shared/contract.js';
import type { ServingEngine } from './serving-engine.js';
import { normalizeThumbprint } from './vsphere/thumbprint.js';
import { normalizeVcenterUrl, probeVcenter } from './vsphere/probe.js';
import { createLogger } from './log.js';
import type { VcenterPatch } from './db/vcenter-rules.js';

import { VERSION } from './version.js';
import { exportRvtools } from './export/rvtools/rvtools-export.js';
import { exportFull, exportRows } from './export/exporter.js';
import { checkExportTarget } from './export/target.js';
import { sourceHandlers } from './sources/handlers.js';

const log = createLogger('api');

/** The engine's contract handlers (either back end): one per request, shared by every transport. */
export function createHandlers(engine: ServingEngine): Handlers {
  const withState = (id: number): ContractResults['vcenters.get'] => {
    const v = engine.vcenters.list().find((x) => x.id === id);
    if (!v) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
    return v;
  };

  // Accounts are the REST listener's: the database's one AuthService, made on first use.
  const auth = () => engine.authService();

  return afterWrites(engine, {
    'vcenters.list': async () => engine.vcenters.list(),
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
      const service = a.credential?.kind === 'service' ? a.credential : null;
      if (service?.accountId) engine.accounts.resolve(service.accountId);
      const info = await engine.vcenters.add({
        name: a.name,
        url,
        username: a.username ?? '',
        thumbprint,
        caPem: a.caPem ?? null,
        useServiceAccount: service !== null,
        serviceAccountId: service?.accountId ?? null,
        site: a.site || null,
        tags: a.tags ?? [],
      });
      if (a.password !== undefined) await engine.setPassword(info.id, a.password);
      return withState(info.id);
    },
    'vcenters.update': async ({ id, password, ...patch }) => {
      const current = withState(id);
      const next: VcenterPatch = {};
      if (patch.credential?.kind === 'service') {
        if (patch.credential.accountId) engine.accounts.resolve(patch.credential.accountId);
        next.useServiceAccount = true;
        next.serviceAccountId = patch.credential.accountId;
      } else if (patch.credential?.kind === 'own') {
        const user = patch.username ?? current.username;
        if (current.credential.kind === 'service' && (patch.username === undefined || password === undefined))
          throw new VminerError(
            'INVALID_INPUT',
            `${current.name}: give its own username and password to stop using the service account`,
          );
        next.useServiceAccount = false;
        next.serviceAccountId = null;
        next.username = user;
      }
      if (patch.site !== undefined) next.site = patch.site || null;
      if (patch.tags !== undefined) next.tags = patch.tags;
      if (patch.name !== undefined) next.name = patch.name;
      if (patch.url !== undefined) next.url = normalizeVcenterUrl(patch.url);
      if (patch.username !== undefined) next.username = patch.username;
      if (patch.thumbprint !== undefined)
        next.thumbprint = patch.thumbprint ? normalizeThumbprint(patch.thumbprint) : null;
      if (patch.caPem !== undefined) next.caPem = patch.caPem;
      // Whoever pins a certificate or names a private CA here has looked at it: the hold a source
      // put on the vCenter's password ends.
      if (next.thumbprint || next.caPem) next.certReviewPending = false;
      if (patch.enabled !== undefined) next.enabled = patch.enabled;
      const usesService = next.useServiceAccount ?? current.credential.kind === 'service';
      if (usesService && (patch.username !== undefined || password !== undefined))
        throw new VminerError(
          'INVALID_INPUT',
          `${current.name} logs in with a service account: change the account's password, or switch the vCenter to credential {kind: "own"}`,
        );
      if (Object.keys(next).length > 0) await engine.vcenters.update(id, next);
      if (password !== undefined) await engine.setPassword(id, password);
      return withState(id);
    },
    'vcenters.remove': async ({ id }) => ({ removed: await engine.removeVcenter(id) }),
    ...sourceHandlers(engine),
    'sync.start': async ({ vcenterIds }) => {
      const ids = vcenterIds ?? engine.syncableIds();
      for (const i of ids) withState(i);
      engine.sync.sync(ids).catch((err: unknown) => log.error('sync failed', { error: String(err) }));
      return { started: ids };
    },
    'sync.cancel': async ({ vcenterIds }) => {
      engine.sync.cancel(vcenterIds);
      return { cancelled: true };
    },
    'query.ask': (req) => engine.reads.ask(req),
    'inventory.list': (req) => engine.reads.list(req),
    'inventory.details': (req) => engine.reads.details(req),
    'changes.list': (req) => engine.reads.changes(req),
    'stats.get': () => engine.reads.stats(),
    'settings.get': async () => engine.settings.get(),
    'settings.update': async (patch) => {
      const { scheduler, rest, ...flat } = patch;
      // Nested settings change field by field too: {rest: {port}} keeps the listener's address.
      const next = await engine.settings.update({
        ...flat,
        ...(rest ? { rest: { ...engine.settings.get().rest, ...rest } } : {}),
      });
      if (scheduler) {
        const { enabled, ...timing } = scheduler;
        engine.scheduler.configure(timing);
        // Turning the schedule on or off arms or disarms the timer, not just the stored flag.
        if (enabled === true && !engine.scheduler.state().enabled) engine.scheduler.start();
        if (enabled === false && engine.scheduler.state().enabled) engine.scheduler.stop();
      }
      return { ...next, scheduler: engine.settings.get().scheduler };
    },
    'scheduler.state': async () => engine.scheduler.state(),
    'live.status': async () => {
      const s = engine.settings.get();
      return {
        mode: s.updateMode,
        paused: s.paused,
        running: engine.live.running,
        sessions: engine.live.statusInfo(),
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
    'users.list': async () => (await auth()).listUsers(),
    'users.add': async ({ username, password, role }) => {
      const a = await auth();
      await a.addUser(username, password, role);
      return a.listUsers();
    },
    'users.setPassword': async ({ username, password }) => {
      await (await auth()).setPassword(username, password);
      return { updated: true };
    },
    'users.setRole': async ({ username, role }) => {
      const a = await auth();
      await a.setRole(username, role);
      return a.listUsers();
    },
    'users.remove': async ({ username }) => {
      const a = await auth();
      await a.removeUser(username);
      return a.listUsers();
    },
    'engine.info': async () => ({
      version: VERSION,
      dataDir: engine.dataDir,
      vaultKey: engine.vault.backend,
    }),
    'export.toFile': async ({ path, format, ...req }, ctx) => {
      if (!isAbsolute(path)) throw new VminerError('INVALID_INPUT', `export path must be absolute: ${path}`);
      checkExportTarget(path, engine.dataDir);
      const { plan, question } = await engine.reads.resolveExport(req);
      const freshness = await engine.reads.freshness(plan);
      if (!plan && format === 'csv')
        throw new VminerError(
          'INVALID_INPUT',
          'a CSV file holds one table: export an entity or a question, or use xlsx or json',
        );
      if (format === 'rvtools') {
        if (plan)
          throw new VminerError(
            'INVALID_INPUT',
            'the RVTools layout is the whole estate: export it without an entity or a question',
          );
        const r = await exportRvtools({
          ...engine.reads.exportSource(),
          out: path,
          freshness,
          onProgress: ctx?.progress,
        });
        return { path: r.file ?? path, rows: r.rows, bytes: r.bytes ?? null };
      }
      const r = plan
        ? await exportRows({
            ...engine.reads.exportSource(),
            plan,
            columns: req.columns,
            format,
            out: path,
            bom: req.bom,
            freshness,
            onProgress: ctx?.progress,
            ...(question ? { question } : {}),
          })
        : await exportFull({
            ...engine.reads.exportSource(),
            vcenters: engine.vcenters.list(),
            format: format as 'xlsx' | 'json',
            out: path,
            freshness,
            onProgress: ctx?.progress,
          });
      return { path: r.file ?? path, rows: r.rows, bytes: r.bytes ?? null };
    },
  } satisfies Handlers);
}

/**
 * Every write (a vCenter added or imported, an account's password changed, a source refreshed,
 * certificates trusted, settings changed) is followed by `engine.reconfigured()`, so running parts
 * such as live sessions follow it; cheap when nothing relevant changed.
 */
function afterWrites(engine: ServingEngine, handlers: Handlers): Handlers {
  type AnyHandler = (a: unknown, ctx?: unknown) => Promise<unknown>;
  const wrapped: Record<string, AnyHandler> = {};
  for (const [name, fn] of Object.entries(handlers) as [RequestName, AnyHandler][]) {
    wrapped[name] = CONTRACT[name].mutates
      ? async (a, ctx) => {
          const r = await fn(a, ctx);
          engine.reconfigured();
          return r;
        }
      : fn;
  }
  return wrapped as Handlers;
}
