import type { EntityCounts } from './inventory.js';
import type { ErrorCode } from './errors.js';

/**
 * Per-vCenter status, defined once for the whole product. Later work extends it (live updates:
 * live / catching up; sources: retired).
 */
export const VCENTER_STATUSES = [
  'idle',
  'queued',
  'syncing',
  'ok',
  'failed',
  'certificate_changed',
  'disabled',
] as const;
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
}

export interface VcenterWithState extends VcenterInfo {
  sync: SyncStateInfo;
}
