/**
 * What the sync engine (SyncRunner), the live sessions (LiveManager, LiveSession) and the
 * scheduler need of the cache: the vCenter registry with its sync state (SyncRepo) and the
 * inventory store (SyncStore). The SQLite VcenterRepo and InventoryStore satisfy them as they are
 * (synchronous: their results are plain values, so a desktop sync behaves as before); on the team
 * database, team/pg-sync-backend.ts adapts PgVcenterRepo and PgInventoryStore to them (results are
 * promises, writes fenced by the leader's term).
 *
 * `alongside` runs synchronously inside the store write's transaction: the sync state (and what a
 * sync learned of the vCenter) written there lands with the rows or not at all. On PostgreSQL the
 * adapter captures the repo writes made in that call and writes them on the transaction's client.
 */
import { VminerError } from '../../../shared/errors.js';
import type { Inventory, TagSet } from '../../../shared/inventory.js';
import type { VcenterInfo, VcenterWithState } from '../../../shared/vcenter.js';
import type { ObjectNames } from '../db/inventory-tables.js';
import type { About, SyncPatch } from '../db/vcenter-rules.js';
import { createLogger } from '../log.js';
import type { MaybePromise } from '../maybe-async.js';
import type { DeviceCache } from '../vsphere/device-cache.js';
import type { InventoryDelta } from '../vsphere/live-inventory.js';

const log = createLogger('sync');

export interface SyncRepo {
  list(): VcenterWithState[];
  get(id: number): VcenterInfo | undefined;
  caPem(id: number): string | null;
  setState(id: number, patch: SyncPatch): MaybePromise<void>;
  setAbout(id: number, about: About): MaybePromise<void>;
  settleLiveStates(ids?: number[]): MaybePromise<void>;
}

export interface SyncStore {
  replace(vcenterId: number, inv: Inventory, alongside?: () => void): MaybePromise<number>;
  applyDelta(vcenterId: number, d: InventoryDelta, alongside?: () => void): MaybePromise<void>;
  replaceTags(
    vcenterId: number,
    tags: TagSet,
    names: ObjectNames,
    alongside?: () => void,
  ): MaybePromise<number>;
  deviceCache(vcenterId: number): MaybePromise<DeviceCache>;
  snapshotVms(vcenterId: number): MaybePromise<string[]>;
}

/** A write refused because this instance no longer leads (team/fence.ts StaleTermError). */
export function isNotLeader(err: unknown): boolean {
  return err instanceof VminerError && err.code === 'NOT_LEADER';
}

/**
 * A write whose result nobody waits for (a status on a synchronous path): a failure is logged,
 * a refusal for lost leadership is expected and quiet. On SQLite the write has already happened.
 */
export function inBackground(result: MaybePromise<unknown>, what: string): void {
  if (result instanceof Promise)
    result.catch((err: unknown) => {
      if (!isNotLeader(err)) log.warn(`${what} failed`, { error: String(err) });
    });
}
