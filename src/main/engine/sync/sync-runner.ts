import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { VminerError, toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';
import type { EntityCounts } from '../../../shared/inventory.js';
import type { VcenterInfo } from '../../../shared/vcenter.js';
import type { EngineSettings } from '../../../shared/settings.js';
import { countsOf } from '../db/inventory-store.js';
import type { EventBus } from '../events.js';
import { createLogger } from '../log.js';
import { collectInventory, type CollectOptions, type CollectResult } from '../vsphere/collect.js';
import { isNotLeader, type SyncRepo, type SyncStore } from './sync-ports.js';

const log = createLogger('sync');

/** What a sync reports beside its rows: skipped paths, unreadable properties, stale tags. */
export function syncWarnings(
  droppedPaths: string[],
  missing: { objectType: string; path: string; fault: string }[],
  tagsError: string | undefined,
): string[] {
  return [
    ...droppedPaths.map((p) => `property ${p} is unknown to this vCenter version; it was skipped`),
    ...missing.map(
      (m) => `${m.objectType}.${m.path} could not be read (${m.fault}); check the account's role`,
    ),
    ...(tagsError
      ? [`the tags could not be read (${tagsError}); the tags shown are stale (from the last good read)`]
      : []),
  ];
}

/** The sync state's tag fields after a read: "as of" now when the tags were read, else the error. */
export function tagsState(
  tagsError: string | undefined,
  at: number,
): { tagsError: string | null; tagsAsOf?: string } {
  return tagsError ? { tagsError } : { tagsError: null, tagsAsOf: new Date(at).toISOString() };
}

export interface VcenterSyncResult {
  vcenterId: number;
  vcenter: string;
  /**
   * `stepped_down`: a team server instance stopped leading while it synced this vCenter (a write
   * was refused with NOT_LEADER): nothing more was written, the new leader syncs it.
   */
  status: 'ok' | 'failed' | 'certificate_changed' | 'stepped_down';
  error: ErrorInfo | null;
  counts: EntityCounts | null;
  durationMs: number;
  warnings: string[];
}

export interface SyncSummary {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  results: VcenterSyncResult[];
}

export interface SyncDeps {
  repo: SyncRepo;
  store: SyncStore;
  bus: EventBus;
  settings: () => EngineSettings;
  /** The login a vCenter uses (its own, or a shared service account); throws LOGIN_FAILED when none is stored. */
  credentials: (vc: VcenterInfo) => { user: string; password: string };
  /** Injected for fault tests; defaults to the real collector. */
  collect?: (opts: CollectOptions) => Promise<CollectResult>;
  /** Called once after a sync run that stored new data (the engine refreshes planner statistics). */
  afterSync?: () => void;
  /** A vCenter kept live is re-read through its stream instead (undefined: not live). */
  resyncLive?: (vcenterId: number) => Promise<VcenterSyncResult> | undefined;
}

/**
 * Syncs vCenters concurrently (p-limit), one session each. A vCenter already syncing is joined,
 * not started twice; a failure never touches the vCenter's last good data.
 */
export class SyncRunner {
  private readonly running = new Map<number, Promise<VcenterSyncResult>>();
  private readonly controllers = new Map<number, AbortController>();

  constructor(private readonly deps: SyncDeps) {}

  isSyncing(id?: number): boolean {
    return id === undefined ? this.running.size > 0 : this.running.has(id);
  }

  async sync(ids?: number[], opts: { workers?: number } = {}): Promise<SyncSummary> {
    const started = Date.now();
    const all = this.deps.repo.list();
    let targets: VcenterInfo[];
    if (ids) {
      targets = ids.map((id) => {
        const v = all.find((x) => x.id === id);
        if (!v) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
        return v;
      });
    } else targets = all.filter((v) => v.enabled && v.retiredAt === null);
    const limit = pLimit(opts.workers ?? this.deps.settings().syncWorkers);
    const results = await Promise.all(
      targets.map(
        (vc) => this.running.get(vc.id) ?? this.deps.resyncLive?.(vc.id) ?? this.enqueue(vc, limit),
      ),
    );
    const finished = Date.now();
    if (results.some((r) => r.status === 'ok')) {
      try {
        const t0 = performance.now();
        this.deps.afterSync?.();
        log.info('post-sync maintenance', { ms: Math.round(performance.now() - t0) });
      } catch (err) {
        log.warn('post-sync maintenance failed', { error: String(err) });
      }
    }
    return {
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      results,
    };
  }

  /** Resolves once no sync is running (a cancelled one settles after logging out, bounded). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Cancels running and queued syncs (all, or the given vCenters). */
  cancel(ids?: number[]): void {
    for (const [id, ac] of this.controllers) {
      if (!ids || ids.includes(id)) ac.abort(new VminerError('CANCELLED', 'sync cancelled'));
    }
  }

  private enqueue(vc: VcenterInfo, limit: ReturnType<typeof pLimit>): Promise<VcenterSyncResult> {
    const ac = new AbortController();
    this.controllers.set(vc.id, ac);
    const queued = this.deps.repo.setState(vc.id, { status: 'queued' });
    this.deps.bus.emit('sync:progress', {
      vcenterId: vc.id,
      vcenter: vc.name,
      phase: 'queued',
      status: 'queued',
    });
    // On PostgreSQL the write is awaited first thing in runOne (the states land in order).
    if (queued instanceof Promise) queued.catch(() => undefined);
    const p = limit(() => this.runOne(vc, ac, queued)).finally(() => {
      this.running.delete(vc.id);
      this.controllers.delete(vc.id);
    });
    this.running.set(vc.id, p);
    return p;
  }

  private async runOne(
    vc: VcenterInfo,
    ac: AbortController,
    queued: void | Promise<void>,
  ): Promise<VcenterSyncResult> {
    const { repo, store, bus } = this.deps;
    const settings = this.deps.settings();
    const started = Date.now();
    const emit = (e: Omit<Parameters<typeof bus.emit<'sync:progress'>>[1], 'vcenterId' | 'vcenter'>): void =>
      bus.emit('sync:progress', { vcenterId: vc.id, vcenter: vc.name, ...e });
    const deadline = setTimeout(
      () =>
        ac.abort(
          new VminerError(
            'TIMEOUT',
            `${vc.name}: the sync did not finish within ${Math.round(settings.vcenterDeadlineMs / 1000)} s (overall deadline)`,
          ),
        ),
      settings.vcenterDeadlineMs,
    );
    try {
      await queued;
      await repo.setState(vc.id, { status: 'syncing', startedAt: new Date(started).toISOString() });
      emit({ phase: 'started', status: 'syncing' });
      if (ac.signal.aborted) throw ac.signal.reason;
      const { user, password } = this.deps.credentials(vc);
      const caPem = repo.caPem(vc.id);
      const collect = this.deps.collect ?? collectInventory;
      const res = await collect({
        url: vc.url,
        user,
        password,
        trust: vc.thumbprint
          ? { kind: 'thumbprint', sha256: vc.thumbprint }
          : { kind: 'ca', extraCaPem: caPem ?? undefined },
        connectTimeoutMs: settings.connectTimeoutMs,
        callTimeoutMs: settings.callTimeoutMs,
        maxObjects: settings.pageSize,
        maxAnswerBytes: settings.maxAnswerBytes,
        maxAnswerDepth: settings.maxAnswerDepth,
        devices: await store.deviceCache(vc.id),
        snapshotVms: await store.snapshotVms(vc.id),
        signal: ac.signal,
        onProgress: (p) => emit({ phase: 'collecting', status: 'syncing', objects: p.objects }),
      });
      if (ac.signal.aborted) throw ac.signal.reason;
      emit({ phase: 'storing', status: 'syncing', objects: res.objects });
      const counts = countsOf(res.inventory);
      const warnings = syncWarnings(res.droppedPaths, res.missing, res.inventory.tagsError);
      const finished = Date.now();
      const a = res.about;
      const storing = performance.now();
      // The rows and the state that describes them in one transaction: a crash between the two
      // can never leave new data with an old "as of".
      const written = await store.replace(vc.id, res.inventory, () => {
        repo.setAbout(vc.id, {
          productName: a.fullName || a.name,
          version: a.version,
          build: a.build,
          apiVersion: a.apiVersion,
          instanceUuid: a.instanceUuid,
        });
        repo.setState(vc.id, {
          status: 'ok',
          finishedAt: new Date(finished).toISOString(),
          durationMs: finished - started,
          counts: JSON.stringify(counts),
          errorCode: null,
          errorMessage: null,
          lastSuccessAt: new Date(finished).toISOString(),
          warnings: JSON.stringify(warnings),
          ...tagsState(res.inventory.tagsError, finished),
        });
      });
      log.info('synced', {
        vcenter: vc.name,
        ms: finished - started,
        objects: res.objects,
        pages: res.pages,
        rowsWritten: written,
        devicesRead: res.devicesRead,
        snapshotSizesAside: res.snapshotSizesAside,
        phases: { ...res.phases, storeMs: Math.round(performance.now() - storing) },
      });
      emit({ phase: 'finished', status: 'ok', counts, durationMs: finished - started });
      bus.emit('inventory:changed', { vcenterIds: [vc.id] });
      return {
        vcenterId: vc.id,
        vcenter: vc.name,
        status: 'ok',
        error: null,
        counts,
        durationMs: finished - started,
        warnings,
      };
    } catch (err) {
      if (isNotLeader(err)) return this.steppedDown(vc, err, started);
      const error = toErrorInfo(
        ac.signal.aborted && ac.signal.reason instanceof VminerError ? ac.signal.reason : err,
      );
      if (!error.message.includes(vc.name)) error.message = `${vc.name}: ${error.message}`;
      const status = error.code === 'CERT_CHANGED' ? 'certificate_changed' : 'failed';
      const finished = Date.now();
      try {
        await repo.setState(vc.id, {
          status,
          finishedAt: new Date(finished).toISOString(),
          durationMs: finished - started,
          errorCode: error.code,
          errorMessage: error.message,
        });
      } catch (stateErr) {
        if (isNotLeader(stateErr)) return this.steppedDown(vc, stateErr, started);
        // The team database unreachable: the failure is still this sync's answer.
        log.warn('the failed sync’s state could not be written', {
          vcenter: vc.name,
          error: String(stateErr),
        });
      }
      log.warn('sync failed', { vcenter: vc.name, code: error.code, error: error.message });
      emit({ phase: 'finished', status, error, durationMs: finished - started });
      return {
        vcenterId: vc.id,
        vcenter: vc.name,
        status,
        error,
        counts: null,
        durationMs: finished - started,
        warnings: [],
      };
    } finally {
      clearTimeout(deadline);
    }
  }

  /**
   * This instance stopped leading mid-sync (a write was refused with NOT_LEADER): no state is
   * written (the new leader owns the vCenter's state now) and the vCenter is not marked failed.
   */
  private steppedDown(vc: VcenterInfo, err: unknown, started: number): VcenterSyncResult {
    const error = toErrorInfo(err);
    const durationMs = Date.now() - started;
    log.info('sync handed over to the new leader: this instance stopped leading mid-sync', {
      vcenter: vc.name,
    });
    this.deps.bus.emit('sync:progress', {
      vcenterId: vc.id,
      vcenter: vc.name,
      phase: 'finished',
      status: 'interrupted',
      error,
      durationMs,
    });
    return {
      vcenterId: vc.id,
      vcenter: vc.name,
      status: 'stepped_down',
      error,
      counts: null,
      durationMs,
      warnings: [],
    };
  }
}
