/**
 * The vCenter registry and its sync state on the team database: reads from the mirror (PgConfig),
 * writes in transactions under the vCenters' lock, with the rules of vcenter-rules.ts — the same
 * ones VcenterRepo applies on SQLite.
 */
import type pg from 'pg';
import { VminerError } from '../../../../shared/errors.js';
import type { VcenterInfo, VcenterWithState } from '../../../../shared/vcenter.js';
import { syncState, vcenters } from '../../db/schema.js';
import {
  bulkAddRow,
  checkedNew,
  checkedPatch,
  checkUnique,
  interruptedSettlement,
  liveSettlement,
  lookupsOf,
  NameRegistry,
  resolveVcenter,
  toInfo,
  toRow,
  withState,
  type About,
  type BulkResult,
  type Holder,
  type Lookups,
  type NewVcenter,
  type SyncPatch,
  type SyncRecord,
  type VcenterPatch,
  type VcenterRecord,
  type VcenterStore,
} from '../../db/vcenter-rules.js';
import { SETTLED_BY_TRUST } from '../../sources/cert-review.js';
import { checkTerm } from '../fence.js';
import type { PgConfig } from './pg-config.js';
import { col, insertRow, insertRows, selectRows, updateRows, type Queryable } from './pg-rows.js';
import { byName, foldAscii } from './text-order.js';

/** The alongside hook of the inventory store's transaction (db/pg): runs on its client. */
export type Alongside = (client: pg.ClientBase) => Promise<void>;

export class PgVcenterRepo implements VcenterStore {
  constructor(private readonly config: PgConfig) {}

  private lookups(): Lookups {
    return lookupsOf(this.config.rows('service_accounts'), this.config.rows('sources'));
  }

  private record(id: number): VcenterRecord | undefined {
    return this.config.row('vcenters', id);
  }

  private info(r: VcenterRecord | undefined): VcenterInfo | undefined {
    return r ? toInfo(r, this.lookups()) : undefined;
  }

  list(): VcenterWithState[] {
    const l = this.lookups();
    return byName(this.config.rows('vcenters')).map((r) =>
      withState(r, this.config.row('sync_state', r.id), l),
    );
  }

  get(id: number): VcenterInfo | undefined {
    return this.info(this.record(id));
  }

  findByName(name: string): VcenterInfo | undefined {
    return this.info(this.config.rows('vcenters').find((r) => r.name === name));
  }

  findByNameInsensitive(name: string): VcenterInfo | undefined {
    const folded = foldAscii(name);
    return this.info(this.config.rows('vcenters').find((r) => foldAscii(r.name) === folded));
  }

  resolve(nameOrId: string): VcenterInfo {
    return resolveVcenter(this, nameOrId);
  }

  caPem(id: number): string | null {
    return this.record(id)?.caPem ?? null;
  }

  /** The vCenters holding `name` (ignoring case) and `url` in the database now (under the lock). */
  private async checkUniqueIn(
    c: Queryable,
    name: string | undefined,
    url: string | undefined,
    except?: number,
  ): Promise<void> {
    const holder = async (where: string, value: string): Promise<Holder | undefined> =>
      (await c.query<Holder>(`SELECT id, name FROM vcenters WHERE ${where} ORDER BY id LIMIT 1`, [value]))
        .rows[0];
    checkUnique(
      name,
      name !== undefined ? await holder('lower(name) = lower($1)', name) : undefined,
      url,
      url !== undefined ? await holder('url = $1', url) : undefined,
      except,
    );
  }

  async add(input: NewVcenter): Promise<VcenterInfo> {
    const v = checkedNew(input);
    const row = await this.config.write(
      { tables: ['vcenters', 'sync_state'], lock: ['vcenters'] },
      async (c, touch) => {
        await this.checkUniqueIn(c, v.name, v.url);
        const r = (await insertRow(c, vcenters, { ...toRow(v), createdAt: new Date().toISOString() }))!;
        await insertRow(c, syncState, { vcenterId: r.id, status: 'idle' });
        touch('vcenters', r.id);
        touch('sync_state', r.id);
        return r;
      },
    );
    return toInfo(row, this.lookups());
  }

  async update(id: number, input: VcenterPatch): Promise<VcenterInfo> {
    const patch = checkedPatch(input);
    const row = await this.config.write({ tables: ['vcenters'], lock: ['vcenters'] }, async (c, touch) => {
      touch('vcenters', id);
      await this.checkUniqueIn(c, patch.name, patch.url, id);
      const [r] = await updateRows(c, vcenters, toRow(patch), 'id = {1}', [id]);
      if (!r) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
      return r;
    });
    return toInfo(row, this.lookups());
  }

  /**
   * Adds and updates many vCenters in one transaction (an import): the same checks as `add` and
   * `update` against the registry read once under the lock. All land, or none.
   */
  async bulkWrite(adds: NewVcenter[], updates: { id: number; patch: VcenterPatch }[]): Promise<BulkResult> {
    return this.config.write({ tables: ['vcenters', 'sync_state'], lock: ['vcenters'] }, async (c, touch) => {
      const current = new Map(
        (
          await c.query<{ id: number; name: string; url: string }>('SELECT id, name, url FROM vcenters')
        ).rows.map((r) => [r.id, r]),
      );
      const registry = new NameRegistry(current.values());
      const createdAt = new Date().toISOString();
      const rows = adds.map((input, i) => {
        const row = bulkAddRow(input, createdAt);
        // Each add a placeholder id of its own until it is inserted, so two adds clash too.
        registry.claim(-1 - i, row.name, row.url);
        return row;
      });
      const added = await insertRows(c, vcenters, rows, ['id', 'name']);
      for (const r of added) registry.assigned(r.name, r.id);
      const addedIds = added.map((r) => r.id);
      touch('vcenters', ...addedIds);
      touch('sync_state', ...addedIds);
      await c.query("INSERT INTO sync_state (vcenter_id, status) SELECT unnest($1::int[]), 'idle'", [
        addedIds,
      ]);
      const updatedIds: number[] = [];
      for (const { id, patch: input } of updates) {
        const patch = toRow(checkedPatch(input));
        const before = current.get(id);
        if (!before) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
        registry.claim(id, patch.name, patch.url, before);
        await updateRows(c, vcenters, patch, 'id = {1}', [id]);
        touch('vcenters', id);
        updatedIds.push(id);
      }
      return { addedIds, updatedIds };
    });
  }

  async remove(id: number): Promise<boolean> {
    return this.config.write({ tables: ['vcenters', 'sync_state'], lock: ['vcenters'] }, async (c, touch) => {
      touch('vcenters', id);
      touch('sync_state', id);
      // The search index has no foreign key (as on SQLite): one vCenter's rows are one id range.
      await c.query('DELETE FROM search_index WHERE id BETWEEN $1 AND $2', [
        id * 2 ** 32,
        id * 2 ** 32 + 2 ** 32 - 1,
      ]);
      return ((await c.query('DELETE FROM vcenters WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  /** What a sync learned of the vCenter (leader only). */
  async setAbout(id: number, about: About, term?: number): Promise<void> {
    await this.config.write({ tables: ['vcenters'], leader: { term } }, async (c, touch) => {
      touch('vcenters', id);
      await updateRows(c, vcenters, about, 'id = {1}', [id]);
    });
  }

  /** A vCenter's sync state, in its own transaction (leader only). */
  async setState(id: number, patch: SyncPatch, term?: number): Promise<void> {
    await this.config.write({ tables: ['sync_state'], leader: { term } }, (c, touch) => {
      touch('sync_state', id);
      return upsertState(c, id, patch);
    });
  }

  /**
   * A vCenter's sync state inside the caller's open transaction on `client` — the inventory
   * store's `alongside` hook, so the state lands with the inventory or not at all. It checks the
   * term there, and announces the change to the other instances when that transaction commits.
   * This instance's mirror learns it from `settleState()` after the commit (`withState` does both).
   * Call it as the transaction's last step before COMMIT: the term check's share lock on the
   * leader's row holds up the lease renewal until the transaction ends (fence.ts).
   */
  async setStateIn(
    client: pg.ClientBase,
    id: number,
    patch: SyncPatch,
    term: number | undefined,
  ): Promise<void> {
    await checkTerm(client, term);
    await upsertState(client, id, patch);
    await this.config.announceIn(client, { sync_state: [id] });
  }

  /**
   * What a sync learned of the vCenter (`setAbout`) inside the caller's open transaction on
   * `client` (the inventory store's, beside `setStateIn`, which checks the term): announced to the
   * other instances when it commits; `settleAbout()` after the commit for this instance's mirror.
   */
  async setAboutIn(client: pg.ClientBase, id: number, about: About): Promise<void> {
    await updateRows(client, vcenters, about, 'id = {1}', [id]);
    await this.config.announceIn(client, { vcenters: [id] });
  }

  /** After a transaction that ran `setAboutIn` committed: this instance's mirror reads those vCenters again. */
  settleAbout(...ids: number[]): Promise<void> {
    return this.config.settle({ vcenters: ids });
  }

  /** After a transaction that ran `setStateIn` committed: this instance's mirror reads those states again. */
  settleState(...ids: number[]): Promise<void> {
    return this.config.settle({ sync_state: ids });
  }

  /**
   * Runs `write` (say, the inventory store's `replace`) with `setStateIn` as its alongside hook;
   * once `write` has committed, the mirror holds the new state. Nothing changes if `write` fails.
   */
  async withState<T>(
    id: number,
    patch: SyncPatch,
    term: number | undefined,
    write: (alongside: Alongside) => Promise<T>,
  ): Promise<T> {
    const result = await write((client) => this.setStateIn(client, id, patch, term));
    await this.settleState(id);
    return result;
  }

  /** Settles leftover live statuses (vcenter-rules.ts `liveSettlement`), as read in the database. */
  async settleLiveStates(ids?: number[], term?: number): Promise<void> {
    await this.config.write({ tables: ['sync_state'], leader: { term } }, async (c, touch) => {
      for (const r of await selectRows(c, syncState, '', [], 'ORDER BY 1')) {
        const patch = liveSettlement(r, ids);
        if (!patch) continue;
        touch('sync_state', r.vcenterId);
        await upsertState(c, r.vcenterId, patch);
      }
    });
  }

  /**
   * Called when this instance becomes the leader: no instance syncs before it does, so a vCenter
   * still marked queued or syncing was left so by a leader that ended mid-sync (`interruptedSettlement`).
   */
  /**
   * Trusted certificates (the leader's write, fenced by `term`): each vCenter whose sync stopped at
   * the old certificate ("certificate changed", or refused as not reviewed) goes back to idle — if
   * its pin is still the thumbprint trusted and its state still that one, checked under row locks,
   * so a re-pin or a sync that ended meanwhile wins. Returns the vCenters settled.
   */
  async settleTrusted(
    pins: { vcenterId: number; thumbprint: string }[],
    term: number | undefined,
  ): Promise<number[]> {
    return this.config.write({ tables: ['sync_state'], leader: { term } }, async (c, touch) => {
      const settled: number[] = [];
      for (const pin of pins) {
        const r = await c.query<{ thumbprint: string | null; status: string; error_code: string | null }>(
          `SELECT v.thumbprint, s.status, s.error_code
             FROM vcenters v JOIN sync_state s ON s.vcenter_id = v.id
            WHERE v.id = $1
            FOR SHARE OF v FOR UPDATE OF s`,
          [pin.vcenterId],
        );
        const row = r.rows[0];
        if (!row || row.thumbprint !== pin.thumbprint) continue;
        if (row.status !== 'certificate_changed' && row.error_code !== 'TLS_UNTRUSTED') continue;
        touch('sync_state', pin.vcenterId);
        await upsertState(c, pin.vcenterId, SETTLED_BY_TRUST);
        settled.push(pin.vcenterId);
      }
      return settled;
    });
  }

  async settleInterrupted(now = new Date(), term?: number): Promise<string[]> {
    return this.config.write({ tables: ['sync_state'], leader: { term } }, async (c, touch) => {
      const names = new Map(
        (await c.query<Holder>('SELECT id, name FROM vcenters')).rows.map((r) => [r.id, r.name]),
      );
      const settled: string[] = [];
      for (const r of await selectRows(c, syncState, '', [], 'ORDER BY 1')) {
        const name = names.get(r.vcenterId);
        const patch = name !== undefined ? interruptedSettlement(r, now) : null;
        if (!patch || name === undefined) continue;
        settled.push(name);
        touch('sync_state', r.vcenterId);
        await upsertState(c, r.vcenterId, patch);
      }
      return settled;
    });
  }
}

/** Inserts the vCenter's state row (idle) or changes the patch's columns of it. */
async function upsertState(c: Queryable, id: number, patch: SyncPatch): Promise<void> {
  const keys = Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined);
  const onConflict = keys.length
    ? `ON CONFLICT (vcenter_id) DO UPDATE SET ${keys
        .map((k) => `${col(syncState, k)} = EXCLUDED.${col(syncState, k)}`)
        .join(', ')}`
    : 'ON CONFLICT (vcenter_id) DO NOTHING';
  const values: Partial<SyncRecord> = { vcenterId: id, status: 'idle', ...patch };
  await insertRow(c, syncState, values, onConflict);
}
