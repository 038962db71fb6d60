/**
 * The PostgreSQL schema: every table of schema.ts, derived (derive.ts), plus the counterpart of
 * SQLite's full-text table. drizzle-kit reads this module's exports (drizzle.pg.config.ts), so each
 * table is exported by name; a test fails when schema.ts gains a table that is not exported here.
 */
import * as sqliteSchema from '../schema.js';
import { derivePgTables, type DerivedTable } from './derive.js';
import { searchIndex } from './search-index.js';

/** Every table of schema.ts, derived, by table name. */
export const derivedTables: ReadonlyMap<string, DerivedTable> = derivePgTables(Object.values(sqliteSchema));

function t(name: string) {
  const d = derivedTables.get(name);
  if (!d) throw new Error(`schema.ts has no table ${name}`);
  return d.table;
}

export const vcenters = t('vcenters');
export const serviceAccounts = t('service_accounts');
export const sources = t('sources');
export const syncState = t('sync_state');
export const settings = t('settings');
export const datacenters = t('datacenters');
export const clusters = t('clusters');
export const hosts = t('hosts');
export const datastores = t('datastores');
export const networks = t('networks');
export const vms = t('vms');
export const snapshots = t('snapshots');
export const vmDisks = t('vm_disks');
export const vmNics = t('vm_nics');
export const vmPartitions = t('vm_partitions');
export const vmDevices = t('vm_devices');
export const vmCustomValues = t('vm_custom_values');
export const hostCustomValues = t('host_custom_values');
export const hostNics = t('host_nics');
export const hostVmkernels = t('host_vmkernels');
export const hostVswitches = t('host_vswitches');
export const dvSwitches = t('dv_switches');
export const tagCategories = t('tag_categories');
export const tagDefs = t('tag_defs');
export const tagAssignments = t('tag_assignments');
export const vmDatastores = t('vm_datastores');
export const vmNetworks = t('vm_networks');
export const hostDatastores = t('host_datastores');
export const users = t('users');
export const revokedTokens = t('revoked_tokens');
export const changes = t('changes');

export { searchIndex };

/** Tables only the team database has (no SQLite counterpart). */
export { teamLeader, vault } from './team-tables.js';
