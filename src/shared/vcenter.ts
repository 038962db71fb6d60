import type { EntityCounts } from './inventory.js';
import type { ErrorCode } from './errors.js';

/**
 * Per-vCenter status, defined once for the whole product. Later work extends it (sources: retired).
 * Live updates: `live` (changes stream in), `catching_up` (a full read through the stream: first
 * load, session expired, update version lost), `reconnecting` (network or vCenter down; the error
 * says why and when the next attempt is).
 */
export const VCENTER_STATUSES = [
  'idle',
  'queued',
  'syncing',
  'ok',
  'failed',
  'certificate_changed',
  'disabled',
  /** Gone from the source that listed it: not synced any more, cached data kept until removed. */
  'retired',
  'live',
  'catching_up',
  'reconnecting',
  /** The process syncing it ended mid-sync (a crash, a kill): its last good data is kept. */
  'interrupted',
] as const;
export type LiveStatus = 'live' | 'catching_up' | 'reconnecting';
export const LIVE_STATUSES: readonly VcenterStatus[] = ['live', 'catching_up', 'reconnecting'];
export type VcenterStatus = (typeof VCENTER_STATUSES)[number];

export interface VcenterInfo {
  id: number;
  name: string;
  url: string;
  username: string;
  thumbprint: string | null;
  hasCustomCa: boolean;
  enabled: boolean;
  createdAt: string;
  productName: string | null;
  version: string | null;
  build: string | null;
  instanceUuid: string | null;
  /**
   * How it logs in: its own account (`username` + its own stored password), or a shared service
   * account (`username` is then the account's; `account` null means "the default account").
   */
  credential: { kind: 'own' } | { kind: 'service'; accountId: number | null; account: string | null };
  /** The source that lists it (null: the local list). */
  source: { id: number; name: string } | null;
  /** When it disappeared from its source (status `retired`); null while listed. */
  retiredAt: string | null;
  /**
   * Its source added it (or moved it to a new address) and nobody has pinned or reviewed its
   * certificate since: vMiner sends it no password until then (unless the source trusts CA-valid
   * certificates). `certs.review` / `certs.trust` clear it.
   */
  awaitingCertReview: boolean;
  site: string | null;
  tags: string[];
}

export interface SyncStateInfo {
  status: VcenterStatus;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  counts: EntityCounts | null;
  error: { code: ErrorCode; message: string } | null;
  lastSuccessAt: string | null;
  /** Non-fatal findings of the last sync: dropped property paths, properties the account may not read. */
  warnings: string[];
  /** Why the vCenter is in its status when that is not an error (e.g. why it is catching up). */
  detail: string | null;
  /**
   * The tags (read through the tagging REST API, apart from the inventory): when they were last
   * read, and why the last read failed (they are then stale: the earlier ones are kept).
   */
  tags: { asOf: string | null; error: string | null; stale: boolean };
}

export interface VcenterWithState extends VcenterInfo {
  sync: SyncStateInfo;
}

/** A shared login many vCenters use; its password sits in the credential vault only. */
export interface ServiceAccountInfo {
  id: number;
  name: string;
  username: string;
  isDefault: boolean;
  createdAt: string;
  /** vCenters that log in with it (for the default account: also those set to "the default"). */
  usedBy: number;
}
