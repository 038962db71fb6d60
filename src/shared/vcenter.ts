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
  'live',
  'catching_up',
  'reconnecting',
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
}

export interface VcenterWithState extends VcenterInfo {
  sync: SyncStateInfo;
}
