/**
 * Service accounts on the team database: reads from the mirror, writes under the accounts' lock
 * with the rules of account-rules.ts (the same ones ServiceAccountRepo applies on SQLite).
 */
import type { ServiceAccountInfo } from '../../../../shared/vcenter.js';
import { serviceAccounts } from '../../db/schema.js';
import {
  accountInfo,
  becomesDefault,
  checkAccountName,
  checkAccountRemoval,
  checkAccountUpdate,
  resolveAccount,
  type AccountPatch,
  type AccountRecord,
  type AccountStore,
  type NewAccount,
} from '../../sources/account-rules.js';
import type { PgConfig, Touch } from './pg-config.js';
import { insertRow, selectRows, updateRows, type Queryable } from './pg-rows.js';
import { byName, foldAscii } from './text-order.js';

export class PgServiceAccountRepo implements AccountStore {
  constructor(private readonly config: PgConfig) {}

  private toInfo(r: AccountRecord): ServiceAccountInfo {
    let explicit = 0;
    let viaDefault = 0;
    for (const v of this.config.rows('vcenters')) {
      if (!v.useServiceAccount) continue;
      if (v.serviceAccountId === r.id) explicit++;
      else if (v.serviceAccountId === null) viaDefault++;
    }
    return accountInfo(r, explicit, viaDefault);
  }

  private find(pred: (r: AccountRecord) => boolean): ServiceAccountInfo | undefined {
    const r = this.config.rows('service_accounts').find(pred);
    return r ? this.toInfo(r) : undefined;
  }

  list(): ServiceAccountInfo[] {
    return byName(this.config.rows('service_accounts')).map((r) => this.toInfo(r));
  }

  get(id: number): ServiceAccountInfo | undefined {
    return this.find((r) => r.id === id);
  }

  getDefault(): ServiceAccountInfo | undefined {
    return this.find((r) => r.isDefault);
  }

  resolve(nameOrId: string | number): ServiceAccountInfo {
    return resolveAccount(
      (name) => this.find((r) => foldAscii(r.name) === foldAscii(name)),
      (id) => this.get(id),
      nameOrId,
    );
  }

  findByNameOrUser(user: string): ServiceAccountInfo | undefined {
    const u = foldAscii(user);
    return this.find((r) => foldAscii(r.name) === u || foldAscii(r.username) === u);
  }

  async add(a: NewAccount): Promise<ServiceAccountInfo> {
    const row = await this.config.write(
      { tables: ['service_accounts'], lock: ['service_accounts'] },
      async (c, touch) => {
        checkAccountName(await sameName(c, a.name));
        const hasDefault = (await c.query('SELECT 1 FROM service_accounts WHERE is_default')).rowCount! > 0;
        const isDefault = becomesDefault(a, hasDefault);
        if (isDefault) await undefault(c, touch);
        const r = (await insertRow(c, serviceAccounts, {
          ...a,
          isDefault,
          createdAt: new Date().toISOString(),
        }))!;
        touch('service_accounts', r.id);
        return r;
      },
    );
    return this.toInfo(row);
  }

  async update(id: number, patch: AccountPatch): Promise<ServiceAccountInfo> {
    const row = await this.config.write(
      { tables: ['service_accounts'], lock: ['service_accounts'] },
      async (c, touch) => {
        const [current] = await selectRows(c, serviceAccounts, 'id = {1}', [id]);
        checkAccountUpdate(id, current, patch);
        if (patch.name !== undefined) checkAccountName(await sameName(c, patch.name), id);
        if (patch.isDefault) await undefault(c, touch);
        touch('service_accounts', id);
        return (await updateRows(c, serviceAccounts, patch, 'id = {1}', [id]))[0]!;
      },
    );
    return this.toInfo(row);
  }

  /** Refused while a vCenter uses it (counted in the database, with vCenter writes held off). */
  async remove(id: number): Promise<void> {
    await this.config.write(
      { tables: ['service_accounts', 'vcenters'], lock: ['vcenters', 'service_accounts'] },
      async (c, touch) => {
        // A vCenter naming it without using it loses the reference (ON DELETE SET NULL): vcenters is read whole.
        touch('service_accounts', id);
        const [current] = await selectRows(c, serviceAccounts, 'id = {1}', [id]);
        const used = await c.query<{ explicit: number; via_default: number }>(
          `SELECT count(*) FILTER (WHERE use_service_account AND service_account_id = $1)::int AS explicit,
                  count(*) FILTER (WHERE use_service_account AND service_account_id IS NULL)::int AS via_default
           FROM vcenters`,
          [id],
        );
        const u = used.rows[0]!;
        checkAccountRemoval(id, current ? accountInfo(current, u.explicit, u.via_default) : undefined);
        await c.query('DELETE FROM service_accounts WHERE id = $1', [id]);
      },
    );
  }
}

/** No account is the default any more (another is about to be). */
async function undefault(c: Queryable, touch: Touch): Promise<void> {
  const r = await c.query<{ id: number }>(
    'UPDATE service_accounts SET is_default = false WHERE is_default RETURNING id',
  );
  touch('service_accounts', ...r.rows.map((x) => x.id));
}

async function sameName(c: Queryable, name: string): Promise<{ id: number; name: string } | undefined> {
  return (
    await c.query<{ id: number; name: string }>(
      'SELECT id, name FROM service_accounts WHERE lower(name) = lower($1) ORDER BY id LIMIT 1',
      [name],
    )
  ).rows[0];
}
