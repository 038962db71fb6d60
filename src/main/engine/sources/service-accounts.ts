import { count, eq, sql } from 'drizzle-orm';
import { VminerError } from '../../../shared/errors.js';
import type { ServiceAccountInfo, VcenterInfo } from '../../../shared/vcenter.js';
import type { Db } from '../db/database.js';
import { serviceAccounts, vcenters } from '../db/schema.js';
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
} from './account-rules.js';

/** Vault item of a service account's password. */
export const accountVaultId = (accountId: number): string => `account:${accountId}`;

/**
 * Shared accounts many vCenters log in with, in the SQLite cache (the rules: account-rules.ts). At
 * most one is the default: a vCenter set to "the service account" without naming one uses it, so
 * changing the default moves all of them at once.
 */
export class ServiceAccountRepo implements AccountStore {
  constructor(private readonly db: Db) {}

  list(): ServiceAccountInfo[] {
    const rows = this.db.select().from(serviceAccounts).orderBy(serviceAccounts.name).all();
    return rows.map((r) => this.toInfo(r));
  }

  get(id: number): ServiceAccountInfo | undefined {
    const r = this.db.select().from(serviceAccounts).where(eq(serviceAccounts.id, id)).get();
    return r ? this.toInfo(r) : undefined;
  }

  getDefault(): ServiceAccountInfo | undefined {
    const r = this.db.select().from(serviceAccounts).where(eq(serviceAccounts.isDefault, true)).get();
    return r ? this.toInfo(r) : undefined;
  }

  private byName(name: string): AccountRecord | undefined {
    return this.db
      .select()
      .from(serviceAccounts)
      .where(sql`${serviceAccounts.name} = ${name} COLLATE NOCASE`)
      .get();
  }

  /** By name (case-insensitive) or numeric id. */
  resolve(nameOrId: string | number): ServiceAccountInfo {
    return resolveAccount(
      (name) => {
        const r = this.byName(name);
        return r ? this.toInfo(r) : undefined;
      },
      (id) => this.get(id),
      nameOrId,
    );
  }

  /** Finds an account whose name or user name is `user` (case-insensitive): imports name accounts that way. */
  findByNameOrUser(user: string): ServiceAccountInfo | undefined {
    const r = this.db
      .select()
      .from(serviceAccounts)
      .where(
        sql`${serviceAccounts.name} = ${user} COLLATE NOCASE OR ${serviceAccounts.username} = ${user} COLLATE NOCASE`,
      )
      .orderBy(serviceAccounts.id)
      .get();
    return r ? this.toInfo(r) : undefined;
  }

  add(a: NewAccount): ServiceAccountInfo {
    return this.db.transaction(() => {
      checkAccountName(this.byName(a.name));
      const isDefault = becomesDefault(a, this.getDefault() !== undefined);
      if (isDefault) this.db.update(serviceAccounts).set({ isDefault: false }).run();
      const row = this.db
        .insert(serviceAccounts)
        .values({ ...a, isDefault, createdAt: new Date().toISOString() })
        .returning()
        .get();
      return this.toInfo(row);
    });
  }

  update(id: number, patch: AccountPatch): ServiceAccountInfo {
    return this.db.transaction(() => {
      checkAccountUpdate(id, this.get(id), patch);
      if (patch.name !== undefined) checkAccountName(this.byName(patch.name), id);
      if (patch.isDefault) this.db.update(serviceAccounts).set({ isDefault: false }).run();
      const row = this.db
        .update(serviceAccounts)
        .set(patch)
        .where(eq(serviceAccounts.id, id))
        .returning()
        .get();
      if (!row) throw new VminerError('NOT_FOUND', `no service account with id ${id}`);
      return this.toInfo(row);
    });
  }

  /** Refused while a vCenter uses it: its vCenters would otherwise lose their login silently. */
  remove(id: number): void {
    checkAccountRemoval(id, this.get(id));
    this.db.delete(serviceAccounts).where(eq(serviceAccounts.id, id)).run();
  }

  private toInfo(r: AccountRecord): ServiceAccountInfo {
    const explicit =
      this.db
        .select({ n: count() })
        .from(vcenters)
        .where(sql`${vcenters.useServiceAccount} = 1 AND ${vcenters.serviceAccountId} = ${r.id}`)
        .get()?.n ?? 0;
    const viaDefault = r.isDefault
      ? (this.db
          .select({ n: count() })
          .from(vcenters)
          .where(sql`${vcenters.useServiceAccount} = 1 AND ${vcenters.serviceAccountId} IS NULL`)
          .get()?.n ?? 0)
      : 0;
    return accountInfo(r, explicit, viaDefault);
  }
}

export type CredentialTarget = Pick<
  VcenterInfo,
  'id' | 'name' | 'username' | 'credential' | 'source' | 'awaitingCertReview'
>;

/**
 * The login a vCenter uses: its own account, the service account it names, or the default one.
 * None for a vCenter a source added or moved whose certificate nobody has reviewed yet: a CMDB
 * row must not be able to send the service account's password to a server of its choosing.
 */
export function resolveCredentials(
  vc: CredentialTarget,
  accounts: Pick<AccountStore, 'get' | 'getDefault'>,
  secret: (vaultId: string) => string | undefined,
): { user: string; password: string } {
  if (vc.awaitingCertReview) {
    const by = vc.source ? `the source ${vc.source.name}` : 'a source';
    throw new VminerError(
      'TLS_UNTRUSTED',
      `${vc.name}: added or moved by ${by}, and its certificate has not been reviewed: vMiner sends it no password until then. ` +
        `Compare the thumbprint it presents with the vCenter's own and accept it with \`vminer vcenter trust --accept\` or on the vCenters page (Review certificates)` +
        (vc.source
          ? `, or let ${vc.source.name} vouch for CA-valid certificates (\`vminer source edit ${vc.source.name} --trust-ca-valid\`)`
          : ''),
    );
  }
  if (vc.credential.kind === 'own') {
    const password = secret(`vcenter:${vc.id}`);
    if (password === undefined) {
      throw new VminerError(
        'LOGIN_FAILED',
        `${vc.name}: no password is stored for ${vc.username || 'its account'}: set one with \`vminer vcenter set-password ${vc.name}\` or on the vCenters page (Edit), or let it log in with a service account`,
      );
    }
    return { user: vc.username, password };
  }
  const account =
    vc.credential.accountId !== null ? accounts.get(vc.credential.accountId) : accounts.getDefault();
  if (!account) {
    throw new VminerError(
      'LOGIN_FAILED',
      `${vc.name}: it logs in with the default service account, but none is set: add one with \`vminer account add NAME --user USER --default\` or under Settings → vCenter service accounts`,
    );
  }
  const password = secret(accountVaultId(account.id));
  if (password === undefined) {
    throw new VminerError(
      'LOGIN_FAILED',
      `${vc.name}: no password is stored for the service account ${account.name}: set one with \`vminer account set-password ${account.name}\` or under Settings → vCenter service accounts`,
    );
  }
  return { user: account.username, password };
}
