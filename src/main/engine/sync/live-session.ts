import { VminerError, toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';
import type { VcenterInfo, VcenterStatus } from '../../../shared/vcenter.js';
import { countsOf } from '../db/inventory-store.js';
import { createLogger } from '../log.js';
import { LiveInventory, deltaSize } from '../vsphere/live-inventory.js';
import {
  createContainerView,
  parseObject,
  retrieveFromView,
  type MissingProperty,
} from '../vsphere/property-collector.js';
import {
  createFilter,
  destroyFilter,
  isInvalidVersion,
  retrieveObjects,
  waitForUpdates,
} from '../vsphere/property-filter.js';
import { livePaths, POLLED_PATHS, VIEW_TYPES } from '../vsphere/properties.js';
import { isSessionExpired, SoapClient } from '../vsphere/soap-client.js';
import type { TrustPolicy } from '../vsphere/transport.js';
import type { MoRef } from '../vsphere/xml.js';
import { syncWarnings, tagsState, type VcenterSyncResult } from './sync-runner.js';
import { tagsOrError } from '../vsphere/collect.js';
import { readCustomFields } from '../vsphere/custom-fields.js';
import { readSnapshotSizes } from '../vsphere/snapshot-sizes.js';
import { fillDevices } from '../vsphere/device-cache.js';
import { isNotLeader, type SyncRepo, type SyncStore } from './sync-ports.js';

const log = createLogger('live');

export interface LiveOptions {
  /** How long the server may hold one WaitForUpdatesEx open. */
  maxWaitSeconds: number;
  /** Page size of update sets (a real vCenter truncates bigger bursts and the client asks again). */
  maxObjectUpdates: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How often an idle session records that its data is still current (lastSuccessAt). */
  freshnessEveryMs: number;
  /**
   * How often the tags are read again (they have no change stream: the tagging REST API is read
   * whole, between two long polls). Every full load reads them too.
   */
  tagsEveryMs: number;
  /**
   * How often the polled paths (a VM's partitions, whose free space drifts: see POLLED_PATHS) are
   * read again for every VM; only VMs whose partitions differ are written. Every full load reads them too.
   */
  polledEveryMs: number;
  connectTimeoutMs: number;
  callTimeoutMs: number;
  /** Bounds on one answer (engine settings maxAnswerBytes / maxAnswerDepth). */
  maxAnswerBytes?: number;
  maxAnswerDepth?: number;
  random: () => number;
}

export const DEFAULT_LIVE_OPTIONS: LiveOptions = {
  maxWaitSeconds: 30,
  maxObjectUpdates: 1000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 120_000,
  freshnessEveryMs: 60_000,
  tagsEveryMs: 15 * 60_000,
  polledEveryMs: 15 * 60_000,
  connectTimeoutMs: 10_000,
  callTimeoutMs: 180_000,
  random: Math.random,
};

export interface LiveTarget {
  vc: VcenterInfo;
  /** The login it uses: its own account or a shared service account. */
  user: string;
  password: string;
  caPem: string | null;
}

export interface LiveSessionDeps {
  repo: SyncRepo;
  store: SyncStore;
  /** Called after rows of this vCenter changed (the manager batches these into events). */
  onChanged: (vcenterId: number) => void;
  onStatus: (
    vcenterId: number,
    status: VcenterStatus,
    error: ErrorInfo | null,
    detail: string | null,
  ) => void;
}

export interface LiveStats {
  /** Update sets received since the session started. */
  updateSets: number;
  /** Object updates received since the last full load. */
  objectUpdates: number;
  /** Rows written since the last full load. */
  rowsWritten: number;
  fullLoads: number;
  reconnects: number;
  lastChangeAt: string | null;
}

type Waiter = (r: VcenterSyncResult) => void;

/**
 * One vCenter kept live: its own login session (kept logged in), one keep-alive connection, a
 * property filter over the inventory view, and a WaitForUpdatesEx long poll. The filter's first
 * answer (version "") is the full load, so nothing can slip between a load and the stream; a
 * full re-read later (lost version, "sync now", the nightly safety net) is a new filter read the
 * same way, in order with the stream, so it can never overwrite newer live data.
 */
export class LiveSession {
  private readonly ac = new AbortController();
  private client: SoapClient | undefined;
  private filter: string | undefined;
  private model: LiveInventory | undefined;
  private version = '';
  private paths: Record<string, string[]> = {};
  private droppedPaths: string[] = [];
  private missing: MissingProperty[] = [];
  private loop: Promise<void> | undefined;
  private stopped = false;
  private fullReason: string | undefined;
  private waiters: Waiter[] = [];
  private failures = 0;
  private lastFresh = 0;
  private lastTags = 0;
  private lastPolled = 0;
  /** The container view of the session (the filter's, also read by the polls). */
  private view: string | undefined;
  private wake: (() => void) | undefined;
  private currentStatus: VcenterStatus = 'idle';
  private currentError: ErrorInfo | null = null;
  readonly stats: LiveStats = {
    updateSets: 0,
    objectUpdates: 0,
    rowsWritten: 0,
    fullLoads: 0,
    reconnects: 0,
    lastChangeAt: null,
  };

  constructor(
    readonly target: LiveTarget,
    private readonly deps: LiveSessionDeps,
    private readonly opts: LiveOptions = DEFAULT_LIVE_OPTIONS,
  ) {}

  get vcenterId(): number {
    return this.target.vc.id;
  }

  get status(): VcenterStatus {
    return this.currentStatus;
  }

  /** Why it is not live (reconnecting, certificate changed, login rejected); null otherwise. */
  get error(): ErrorInfo | null {
    return this.currentError;
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) =>
      log.error('live session ended unexpectedly', { vcenter: this.target.vc.name, error: String(err) }),
    );
  }

  /**
   * A full re-read through the stream (a new filter's first answer). Resolves when it is stored,
   * or with the failure that prevented it.
   */
  resync(reason = 'a full re-read was requested'): Promise<VcenterSyncResult> {
    return new Promise<VcenterSyncResult>((resolve) => {
      this.waiters.push(resolve);
      this.fullReason = reason;
      // Ends the pending long poll (or a back-off wait) so the re-read starts now.
      this.interrupt();
    });
  }

  /** Stops the loop, logs out (bounded), and leaves the vCenter's state as "ok as of now" or its last error. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ac.abort(new VminerError('CANCELLED', `${this.target.vc.name}: live updates stopped`));
    this.wake?.();
    await this.loop;
    const client = this.client;
    this.client = undefined;
    if (client) await client.logout({ timeoutMs: 5_000, signal: new AbortController().signal });
    this.settleWaiters(new VminerError('CANCELLED', `${this.target.vc.name}: live updates stopped`));
  }

  /** Aborts without logging out (the process is exiting). */
  abort(): void {
    this.stopped = true;
    this.ac.abort(new VminerError('CANCELLED', `${this.target.vc.name}: live updates stopped`));
    this.wake?.();
    this.client?.destroy();
  }

  private interruptAc: AbortController | undefined;

  private interrupt(): void {
    this.interruptAc?.abort();
    this.wake?.();
  }

  /** `detail` says why a vCenter is catching up; an error says why it is not live. */
  private async setStatus(
    status: VcenterStatus,
    error: ErrorInfo | null = null,
    detail?: string,
  ): Promise<void> {
    this.currentStatus = status;
    this.currentError = error;
    await this.deps.repo.setState(this.vcenterId, {
      status,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? detail ?? null,
    });
    this.deps.onStatus(this.vcenterId, status, error, detail ?? null);
  }

  private trust(): TrustPolicy {
    const { vc, caPem } = this.target;
    return vc.thumbprint
      ? { kind: 'thumbprint', sha256: vc.thumbprint }
      : { kind: 'ca', extraCaPem: caPem ?? undefined };
  }

  private async run(): Promise<void> {
    const name = this.target.vc.name;
    let reason = 'starting live updates';
    while (!this.stopped) {
      try {
        await this.setStatus('catching_up', null, `${name}: ${reason}`);
        await this.connect();
        await this.fullLoad();
        this.failures = 0;
        await this.stream();
      } catch (err) {
        if (this.stopped) break;
        if (isNotLeader(err)) {
          this.steppedDown(err);
          break;
        }
        if (err instanceof InterruptedForReread) {
          // A re-read was asked for during a long poll: start over on a fresh session, now.
          reason = this.fullReason ?? 'a full re-read was requested';
          this.dropClient();
          continue;
        }
        const error = toErrorInfo(err);
        if (!error.message.includes(name)) error.message = `${name}: ${error.message}`;
        this.settleWaiters(err);
        this.stats.reconnects++;
        this.failures++;
        if (isSessionExpired(err) && this.failures === 1) {
          // The session expired or was ended on the server: log in again at once (once; a
          // session that keeps expiring backs off like any other failure).
          this.client?.dropSession();
          reason = 'the session expired; logged in again, re-reading the inventory';
          log.info('session expired; logging in again', { vcenter: name });
          continue;
        }
        reason = `recovering after: ${error.message}`;
        if (error.code === 'LOGIN_FAILED') {
          // Retrying a rejected password would lock the account on the vCenter (SSO lockout
          // policy): wait for a new password (the session is restarted) or a "sync now".
          await this.statusOrStop('failed', {
            code: error.code,
            message: `${error.message}; live updates wait for a new password (or a manual sync)`,
          });
          if (this.stopped) break;
          log.warn('live session stopped: login rejected', { vcenter: name });
          this.dropClient();
          await this.sleep(2 ** 31 - 1);
          continue;
        }
        const delay = this.backoff();
        const status: VcenterStatus = error.code === 'CERT_CHANGED' ? 'certificate_changed' : 'reconnecting';
        await this.statusOrStop(status, {
          code: error.code,
          message: `${error.message} (live updates retry in ${Math.ceil(delay / 1000)} s)`,
        });
        if (this.stopped) break;
        log.warn('live session interrupted', {
          vcenter: name,
          code: error.code,
          error: error.message,
          delay,
        });
        this.dropClient();
        await this.sleep(delay);
      }
    }
  }

  /**
   * A team server instance that stopped leading (a write refused with NOT_LEADER): the new leader
   * keeps the vCenter live. Nothing more is written, not even a status; the loop ends quietly.
   */
  private steppedDown(err: unknown): void {
    log.info('live session ended: this instance no longer leads', { vcenter: this.target.vc.name });
    this.stopped = true;
    this.settleWaiters(err);
    this.dropClient();
  }

  /** A status written on the way to a retry; a refusal for lost leadership ends the session. */
  private async statusOrStop(status: VcenterStatus, error: ErrorInfo): Promise<void> {
    try {
      await this.setStatus(status, error);
    } catch (err) {
      if (!isNotLeader(err)) throw err;
      this.steppedDown(err);
    }
  }

  /** Exponential back-off with jitter: half fixed, half random, so 100 vCenters do not retry in step. */
  private backoff(): number {
    const exp = Math.min(
      this.opts.backoffMaxMs,
      this.opts.backoffBaseMs * 2 ** Math.min(this.failures - 1, 20),
    );
    return Math.round(exp / 2 + (exp / 2) * this.opts.random());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private dropClient(): void {
    const c = this.client;
    this.client = undefined;
    this.filter = undefined;
    this.view = undefined;
    // A broken connection is closed; a live session is logged out in the background (bounded).
    if (c) void c.logout({ timeoutMs: 5_000, signal: new AbortController().signal });
  }

  private async connect(): Promise<void> {
    if (!this.client) {
      this.client = new SoapClient({
        url: this.target.vc.url,
        trust: this.trust(),
        connectTimeoutMs: this.opts.connectTimeoutMs,
        callTimeoutMs: this.opts.callTimeoutMs,
        maxAnswerBytes: this.opts.maxAnswerBytes,
        maxAnswerDepth: this.opts.maxAnswerDepth,
        signal: this.ac.signal,
      });
    }
    const client = this.client;
    const sc = await client.retrieveServiceContent();
    await client.login(this.target.user, this.target.password);
    const a = sc.about;
    await this.deps.repo.setAbout(this.vcenterId, {
      productName: a.fullName || a.name,
      version: a.version,
      build: a.build,
      apiVersion: a.apiVersion,
      instanceUuid: a.instanceUuid,
    });
    const view = await createContainerView(client, VIEW_TYPES);
    this.view = view;
    this.paths = livePaths();
    const f = await createFilter(client, view, this.paths, this.ac.signal);
    this.filter = f.filter;
    this.droppedPaths = f.droppedPaths;
  }

  /** The filter's first answer (version ""), page by page until not truncated: the whole inventory. */
  private async fullLoad(): Promise<void> {
    const client = this.requireClient();
    this.fullReason = undefined;
    const started = Date.now();
    const model = new LiveInventory(this.paths);
    const refetch: MoRef[] = [];
    // The tags come over their own connection, alongside the filter's first answer.
    const tags = this.readTags().catch(() => ({}) as Awaited<ReturnType<typeof tagsOrError>>);
    this.missing = [];
    let version = '';
    let objects = 0;
    for (;;) {
      const b = await waitForUpdates(client, {
        version,
        maxWaitSeconds: this.opts.maxWaitSeconds,
        maxObjectUpdates: this.opts.maxObjectUpdates,
        signal: this.ac.signal,
        onObject: (u) => {
          if (!model.apply(u)) refetch.push(u.ref);
        },
      });
      objects += b.objects;
      version = b.version;
      if (!b.truncated) break;
    }
    if (refetch.length > 0) await this.refetch(model, refetch);
    await this.readPolled(model);
    await fillDevices(client, model, await this.deps.store.deviceCache(this.vcenterId), this.ac.signal);
    model.setCustomFields(await readCustomFields(client, this.ac.signal));
    model.takeSnapshotChanges();
    model.setSnapshotSizes(await readSnapshotSizes(client, model.vmsWithSnapshots(), this.ac.signal));
    const tagRead = await tags;
    if (this.stopped) return;
    const inv = model.buildAll();
    Object.assign(inv, tagRead);
    model.tagCount = tagRead.tags?.attachments.length ?? 0;
    const finished = Date.now();
    const counts = countsOf(inv);
    const warnings = syncWarnings(this.droppedPaths, this.missing, inv.tagsError);
    // The rows and their "as of" in one transaction.
    await this.deps.store.replace(this.vcenterId, inv, () =>
      this.deps.repo.setState(this.vcenterId, {
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date(finished).toISOString(),
        durationMs: finished - started,
        counts: JSON.stringify(counts),
        lastSuccessAt: new Date(finished).toISOString(),
        warnings: JSON.stringify(warnings),
        ...tagsState(inv.tagsError, finished),
      }),
    );
    this.lastTags = finished;
    this.lastTagJson = inv.tags ? JSON.stringify(inv.tags) : undefined;
    this.model = model;
    this.version = version;
    this.stats.fullLoads++;
    this.stats.objectUpdates = 0;
    this.stats.rowsWritten = 0;
    this.lastFresh = finished;
    await this.setStatus('live');
    log.info('live: full load stored', { vcenter: this.target.vc.name, objects, ms: finished - started });
    this.deps.onChanged(this.vcenterId);
    const result: VcenterSyncResult = {
      vcenterId: this.vcenterId,
      vcenter: this.target.vc.name,
      status: 'ok',
      error: null,
      counts,
      durationMs: finished - started,
      warnings,
    };
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(result);
  }

  private async stream(): Promise<void> {
    const client = this.requireClient();
    while (!this.stopped) {
      if (this.fullReason !== undefined) {
        // Same session, new filter: its first answer is the full re-read, in order with the stream.
        await this.setStatus('catching_up', null, `${this.target.vc.name}: ${this.fullReason}`);
        if (this.filter) await destroyFilter(client, this.filter);
        this.filter = undefined;
        const view = await createContainerView(client, VIEW_TYPES);
        this.view = view;
        this.filter = (await createFilter(client, view, this.paths, this.ac.signal)).filter;
        await this.fullLoad();
        continue;
      }
      const model = this.model!;
      const refetch: MoRef[] = [];
      // One controller per poll that the session's own abort also trips (AbortSignal.any would
      // leave a listener per poll on the session's signal until garbage collection).
      const interrupt = new AbortController();
      const forward = (): void => interrupt.abort(this.ac.signal.reason);
      this.ac.signal.addEventListener('abort', forward, { once: true });
      this.interruptAc = interrupt;
      let b;
      try {
        b = await waitForUpdates(client, {
          version: this.version,
          maxWaitSeconds: this.opts.maxWaitSeconds,
          maxObjectUpdates: this.opts.maxObjectUpdates,
          signal: interrupt.signal,
          onObject: (u) => {
            this.stats.objectUpdates++;
            if (!model.apply(u)) refetch.push(u.ref);
          },
        });
      } catch (err) {
        if (interrupt.signal.aborted && !this.ac.signal.aborted) throw new InterruptedForReread();
        if (isInvalidVersion(err)) {
          this.fullReason = `vCenter no longer knows update version "${this.version}"; re-reading everything`;
          log.warn('update version lost; re-reading', { vcenter: this.target.vc.name });
          continue;
        }
        throw err;
      } finally {
        this.interruptAc = undefined;
        this.ac.signal.removeEventListener('abort', forward);
      }
      this.stats.updateSets++;
      this.version = b.version;
      if (refetch.length > 0) await this.refetch(model, refetch);
      // A VM added or reconfigured (its config.changeVersion moved): its devices as they are now.
      await fillDevices(client, model, undefined, this.ac.signal);
      // A snapshot taken or removed: the VM's snapshot sizes as they are now.
      const snapshotted = model.takeSnapshotChanges();
      if (snapshotted.length > 0)
        model.setSnapshotSizes(await readSnapshotSizes(client, snapshotted, this.ac.signal));
      // A custom attribute defined since the load: its name comes from the CustomFieldsManager.
      if (model.unknownCustomField) model.setCustomFields(await readCustomFields(client, this.ac.signal));
      if (this.stopped) return;
      if (Date.now() - this.lastTags >= this.opts.tagsEveryMs) await this.refreshTags(model);
      if (Date.now() - this.lastPolled >= this.opts.polledEveryMs) await this.readPolled(model);
      // A truncated answer is a prefix of a burst: store once the burst is complete.
      if (!b.truncated && model.pending) await this.flush(model);
      else if (b.objects === 0 && Date.now() - this.lastFresh >= this.opts.freshnessEveryMs) {
        this.lastFresh = Date.now();
        await this.deps.repo.setState(this.vcenterId, {
          lastSuccessAt: new Date(this.lastFresh).toISOString(),
        });
      }
    }
  }

  private async flush(model: LiveInventory): Promise<void> {
    const delta = model.takeDelta();
    const rows = deltaSize(delta);
    const now = Date.now();
    // "As of" needs no millisecond precision: the state row is written when counts change or at
    // most once a second, not once per change; when it is, in the same transaction as the rows.
    const state =
      delta.countsChanged || now - this.lastFresh >= 1_000
        ? {
            lastSuccessAt: new Date(now).toISOString(),
            ...(delta.countsChanged ? { counts: JSON.stringify(model.counts()) } : {}),
          }
        : undefined;
    if (rows > 0)
      await this.deps.store.applyDelta(
        this.vcenterId,
        delta,
        state && (() => this.deps.repo.setState(this.vcenterId, state)),
      );
    else if (state) await this.deps.repo.setState(this.vcenterId, state);
    if (state) this.lastFresh = now;
    this.stats.rowsWritten += rows;
    this.stats.lastChangeAt = new Date(now).toISOString();
    if (rows > 0) this.deps.onChanged(this.vcenterId);
  }

  private readTags(): ReturnType<typeof tagsOrError> {
    const { vc } = this.target;
    return tagsOrError({
      url: vc.url,
      trust: this.trust(),
      user: this.target.user,
      password: this.target.password,
      connectTimeoutMs: this.opts.connectTimeoutMs,
      callTimeoutMs: this.opts.callTimeoutMs,
      maxAnswerBytes: this.opts.maxAnswerBytes,
      signal: this.ac.signal,
    });
  }

  /**
   * The tags read again (no stream exists for them); written only when they changed. A failed
   * read keeps the last good tags and marks them stale, with the reason.
   */
  private async refreshTags(model: LiveInventory): Promise<void> {
    this.lastTags = Date.now();
    const r = await this.readTags();
    if (this.stopped) return;
    const at = Date.now();
    if (!r.tags) {
      await this.deps.repo.setState(this.vcenterId, tagsState(r.tagsError, at));
      log.warn('live: tags could not be read; keeping the last good ones', {
        vcenter: this.target.vc.name,
        error: r.tagsError,
      });
      return;
    }
    const json = JSON.stringify(r.tags);
    if (json === this.lastTagJson) {
      await this.deps.repo.setState(this.vcenterId, tagsState(undefined, at));
      return;
    }
    this.lastTagJson = json;
    model.tagCount = r.tags.attachments.length;
    await this.deps.store.replaceTags(this.vcenterId, r.tags, model.objectNames(), () =>
      this.deps.repo.setState(this.vcenterId, {
        ...tagsState(undefined, at),
        counts: JSON.stringify(model.counts()),
      }),
    );
    this.deps.onChanged(this.vcenterId);
  }

  private lastTagJson: string | undefined;

  /**
   * The polled paths (POLLED_PATHS: partitions) of every VM, read whole through the session's
   * view; a VM is marked changed only when its value differs from the one held.
   */
  private async readPolled(model: LiveInventory): Promise<void> {
    this.lastPolled = Date.now();
    if (!this.view) return;
    const paths = POLLED_PATHS;
    await retrieveFromView(this.requireClient(), this.view, paths, {
      maxObjects: 1000,
      onObject: (o) => {
        for (const p of paths[o.ref.type] ?? []) model.applyPolled(o.ref, p, o.props.get(p));
      },
    });
  }

  /** Re-reads objects whose update was partial (a change below a requested path). */
  private async refetch(model: LiveInventory, refs: MoRef[]): Promise<void> {
    const unique = [...new Map(refs.map((r) => [r.key, r])).values()];
    const missing = new Map<string, MissingProperty>(
      this.missing.map((m) => [`${m.objectType}.${m.path}`, m]),
    );
    for (let i = 0; i < unique.length; i += 500) {
      const nodes = await retrieveObjects(
        this.requireClient(),
        unique.slice(i, i + 500),
        this.paths,
        this.ac.signal,
      );
      for (const n of nodes) model.refresh(parseObject(n, missing));
    }
    this.missing = [...missing.values()];
  }

  private requireClient(): SoapClient {
    if (!this.client) throw new VminerError('CANCELLED', `${this.target.vc.name}: not connected`);
    return this.client;
  }

  private settleWaiters(err: unknown): void {
    if (this.waiters.length === 0) return;
    const error = toErrorInfo(err);
    const result: VcenterSyncResult = {
      vcenterId: this.vcenterId,
      vcenter: this.target.vc.name,
      status: error.code === 'CERT_CHANGED' ? 'certificate_changed' : 'failed',
      error,
      counts: null,
      durationMs: 0,
      warnings: [],
    };
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(result);
  }
}

/** A long poll cut on purpose so a requested full re-read can start at once. */
class InterruptedForReread extends VminerError {
  constructor() {
    super('CANCELLED', 'interrupted for a full re-read');
  }
}
