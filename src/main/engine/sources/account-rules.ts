/**
 * The rules of service accounts, shared by both back ends (ServiceAccountRepo on SQLite,
 * PgServiceAccountRepo on PostgreSQL): names unique regardless of case, at most one default (the
 * first account becomes it), the default cannot be unset directly, an account in use cannot be
 * removed. Only the persistence differs.
 */
import { VminerError } from '../../../shared/errors.js';
import type { ServiceAccountInfo } from '../../../shared/vcenter.js';
import type { serviceAccounts } from '../db/schema.js';

export type AccountRecord = typeof serviceAccounts.$inferSelect;
export interface NewAccount {
  name: string;
  username: string;
  isDefault: boolean;
}
export type AccountPatch = { name?: string; username?: string; isDefault?: boolean };

/** How many vCenters use the account: naming it, and (for the default account) through the default. */
export function accountInfo(r: AccountRecord, explicit: number, viaDefault: number): ServiceAccountInfo {
  return {
    id: r.id,
    name: r.name,
    username: r.username,
    isDefault: r.isDefault,
    createdAt: r.createdAt,
    usedBy: explicit + (r.isDefault ? viaDefault : 0),
  };
}

/** Refuses a second account whose name differs only in case (`same`: the one holding it now). */
export function checkAccountName(same: { id: number; name: string } | undefined, except?: number): void {
  if (same && same.id !== except)
    throw new VminerError('INVALID_INPUT', `a service account named "${same.name}" already exists`);
}

/** The first account becomes the default: "use the service account" then works right away. */
export function becomesDefault(a: NewAccount, hasDefault: boolean): boolean {
  return a.isDefault || !hasDefault;
}

export function checkAccountUpdate(
  id: number,
  current: { name: string; isDefault: boolean } | undefined,
  patch: AccountPatch,
): void {
  if (!current) throw new VminerError('NOT_FOUND', `no service account with id ${id}`);
  if (patch.isDefault === false && current.isDefault) {
    throw new VminerError(
      'INVALID_INPUT',
      `${current.name} is the default service account: make another account the default instead`,
    );
  }
}

/** Refused while a vCenter uses it: its vCenters would otherwise lose their login silently. */
export function checkAccountRemoval(id: number, a: ServiceAccountInfo | undefined): void {
  if (!a) throw new VminerError('NOT_FOUND', `no service account with id ${id}`);
  if (a.usedBy > 0) {
    throw new VminerError(
      'INVALID_INPUT',
      `${a.name} is used by ${a.usedBy} vCenter(s)${a.isDefault ? ' (it is the default account)' : ''}: move them to another account first`,
    );
  }
}

/** By name (case-insensitive) or numeric id. */
export function resolveAccount(
  byName: (name: string) => ServiceAccountInfo | undefined,
  byId: (id: number) => ServiceAccountInfo | undefined,
  nameOrId: string | number,
): ServiceAccountInfo {
  const named = typeof nameOrId === 'string' ? byName(nameOrId) : undefined;
  const id = typeof nameOrId === 'number' ? nameOrId : /^\d+$/.test(nameOrId) ? Number(nameOrId) : null;
  const a = named ?? (id !== null ? byId(id) : undefined);
  if (!a)
    throw new VminerError('NOT_FOUND', `no service account "${nameOrId}" (see \`vminer account list\`)`);
  return a;
}

/**
 * Service accounts on either back end: synchronous reads, writes that return their result on
 * SQLite and a promise of it on PostgreSQL.
 */
export interface AccountStore {
  list(): ServiceAccountInfo[];
  get(id: number): ServiceAccountInfo | undefined;
  getDefault(): ServiceAccountInfo | undefined;
  resolve(nameOrId: string | number): ServiceAccountInfo;
  findByNameOrUser(user: string): ServiceAccountInfo | undefined;
  add(a: NewAccount): ServiceAccountInfo | Promise<ServiceAccountInfo>;
  update(id: number, patch: AccountPatch): ServiceAccountInfo | Promise<ServiceAccountInfo>;
  remove(id: number): void | Promise<void>;
}
