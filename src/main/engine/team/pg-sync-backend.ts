/**
 * The sync engine's repo and store (sync/sync-ports.ts) on the team database, for the leader:
 * PgVcenterRepo and PgInventoryStore with every write fenced by the term this instance was elected
 * with (`fence()`, which throws StaleTermError with code NOT_LEADER once the instance stopped
 * leading: nothing is written after that, not even a status).
 *
 * - A store write's `alongside` is called synchronously inside its transaction (as on SQLite); the
 *   repo writes it makes for that vCenter (its state, what the sync learned of it) are captured and
 *   written on the transaction's client (`setAboutIn`, `setStateIn` with the term), so the state
 *   lands with the rows or not at all; this instance's mirror reads them after the commit.
 * - The writes of one vCenter run one after the other in the order they were made, even when the
 *   caller does not wait for them (a status on a synchronous path): its states never land out of order.
 */
import type { Inventory, TagSet } from '../../../shared/inventory.js';
import type { VcenterInfo, VcenterWithState } from '../../../shared/vcenter.js';
import type { PgAlongside, PgInventoryStore } from '../db/pg/inventory-store-pg.js';
import type { ObjectNames } from '../db/inventory-tables.js';
import type { About, SyncPatch } from '../db/vcenter-rules.js';
import type { SyncRepo, SyncStore } from '../sync/sync-ports.js';
import type { DeviceCache } from '../vsphere/device-cache.js';
import type { InventoryDelta } from '../vsphere/live-inventory.js';
import type { PgVcenterRepo } from './config/pg-vcenter-repo.js';
import type { Fence } from './fence.js';

export interface PgSyncBackendOptions {
  store: PgInventoryStore;
  vcenters: PgVcenterRepo;
  /** The leadership this instance writes under; throws (NOT_LEADER) once it no longer leads. */
  fence: () => Fence;
}

/** Repo writes made inside a store write's alongside call, for one vCenter. */
interface Captured {
  id: number;
  about?: About;
  state?: SyncPatch;
}

export class PgSyncBackend {
  readonly repo: SyncRepo;
  readonly store: SyncStore;
  private capture: Captured | undefined;
  private readonly chains = new Map<number, Promise<unknown>>();

  constructor(private readonly opts: PgSyncBackendOptions) {
    const { vcenters } = opts;
    this.repo = {
      list: (): VcenterWithState[] => vcenters.list(),
      get: (id: number): VcenterInfo | undefined => vcenters.get(id),
      caPem: (id: number): string | null => vcenters.caPem(id),
      setState: (id: number, patch: SyncPatch) => {
        const c = this.captured(id);
        if (c) c.state = { ...c.state, ...patch };
        else return this.serial(id, () => vcenters.setState(id, patch, this.term()));
      },
      setAbout: (id: number, about: About) => {
        const c = this.captured(id);
        if (c) c.about = about;
        else return this.serial(id, () => vcenters.setAbout(id, about, this.term()));
      },
      settleLiveStates: async (ids?: number[]) => vcenters.settleLiveStates(ids, this.term()),
    };
    this.store = {
      replace: (vcenterId: number, inv: Inventory, alongside?: () => void) =>
        this.withAlongside(vcenterId, alongside, (hook) => opts.store.replace(vcenterId, inv, hook)),
      applyDelta: (vcenterId: number, d: InventoryDelta, alongside?: () => void) =>
        this.withAlongside(vcenterId, alongside, (hook) => opts.store.applyDelta(vcenterId, d, hook)),
      replaceTags: (vcenterId: number, tags: TagSet, names: ObjectNames, alongside?: () => void) =>
        this.withAlongside(vcenterId, alongside, (hook) =>
          opts.store.replaceTags(vcenterId, tags, names, hook),
        ),
      deviceCache: (vcenterId: number): Promise<DeviceCache> => opts.store.deviceCache(vcenterId),
      snapshotVms: (vcenterId: number): Promise<string[]> => opts.store.snapshotVms(vcenterId),
    };
  }

  /** Resolves once every write made so far has landed (or failed). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  private term(): number {
    return this.opts.fence().term;
  }

  private captured(id: number): Captured | undefined {
    return this.capture?.id === id ? this.capture : undefined;
  }

  /** Runs `write` after the vCenter's earlier writes (whatever their outcome). */
  private serial<T>(id: number, write: () => Promise<T>): Promise<T> {
    const before = this.chains.get(id);
    const p = before ? before.then(write, write) : Promise.resolve().then(write);
    const done = (): void => {
      if (this.chains.get(id) === p) this.chains.delete(id);
    };
    this.chains.set(id, p);
    p.then(done, done);
    return p;
  }

  /**
   * A store write whose transaction runs `alongside` and writes what it captured (about, then the
   * state with the term check) as its last steps; this instance's mirror reads them after the commit.
   */
  private withAlongside<T>(
    id: number,
    alongside: (() => void) | undefined,
    write: (hook: PgAlongside) => Promise<T>,
  ): Promise<T> {
    return this.serial(id, async () => {
      const term = this.term();
      let wrote: Captured | undefined;
      const hook: PgAlongside = async (client) => {
        const c: Captured = { id };
        this.capture = c;
        try {
          alongside?.();
        } finally {
          this.capture = undefined;
        }
        wrote = c;
        // Still leading (a loss this instance already knows of refuses the write before COMMIT).
        this.term();
        if (c.about) await this.opts.vcenters.setAboutIn(client, id, c.about);
        if (c.state) await this.opts.vcenters.setStateIn(client, id, c.state, term);
      };
      const out = await write(hook);
      const settled: Promise<void>[] = [];
      if (wrote?.about) settled.push(this.opts.vcenters.settleAbout(id));
      if (wrote?.state) settled.push(this.opts.vcenters.settleState(id));
      await Promise.all(settled);
      return out;
    });
  }
}
