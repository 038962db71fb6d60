import pLimit from 'p-limit';
import { VminerError, toErrorInfo } from '../../../shared/errors.js';
import type { CertReviewItem } from '../../../shared/sources.js';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import type { VcenterRepo } from '../db/vcenter-repo.js';
import type { VcenterPatch, VcenterStore } from '../db/vcenter-rules.js';
import { normalizeThumbprint } from '../vsphere/thumbprint.js';
import { fetchPeerCertificate } from '../vsphere/transport.js';

/**
 * vCenters whose certificate wants a look: a renewed one ("certificate changed"), one a source
 * added or moved that gets no password until then, new ones that have never synced and trust
 * neither a pin nor a private CA (what an import or a source adds), and unpinned ones whose
 * certificate no CA vouches for.
 */
export function needsReview(v: VcenterWithState): boolean {
  if (v.retiredAt !== null) return false;
  if (v.sync.status === 'certificate_changed' || v.awaitingCertReview) return true;
  if (v.thumbprint !== null || v.hasCustomCa) return false;
  return v.sync.lastSuccessAt === null || v.sync.error?.code === 'TLS_UNTRUSTED';
}

/** Reads what each vCenter presents now, several at a time; one unreachable vCenter is one row, not a failure. */
export async function reviewCertificates(
  repo: Pick<VcenterStore, 'list' | 'caPem'>,
  ids: number[] | undefined,
  timeoutMs: number,
): Promise<CertReviewItem[]> {
  const all = repo.list();
  const targets = ids
    ? ids.map((id) => {
        const v = all.find((x) => x.id === id);
        if (!v) throw new VminerError('NOT_FOUND', `no vCenter with id ${id}`);
        return v;
      })
    : all.filter(needsReview);
  const limit = pLimit(8);
  return Promise.all(
    targets.map((v) =>
      limit(async (): Promise<CertReviewItem> => {
        const base = { vcenterId: v.id, name: v.name, url: v.url, pinned: v.thumbprint };
        try {
          const c = await fetchPeerCertificate(v.url, timeoutMs, repo.caPem(v.id) ?? undefined);
          const state =
            v.thumbprint !== null
              ? v.thumbprint === c.thumbprintSha256
                ? 'trusted'
                : 'changed'
              : // A CA-valid certificate proves the name, not that the CMDB named the right server.
                c.trustedByCa && !v.awaitingCertReview
                ? 'trusted'
                : 'new';
          return {
            ...base,
            state,
            thumbprint: c.thumbprintSha256,
            subject: c.subject,
            issuer: c.issuer,
            validTo: c.validTo,
            trustedByCa: c.trustedByCa,
            error: null,
          };
        } catch (err) {
          return {
            ...base,
            state: 'unreachable',
            thumbprint: null,
            subject: null,
            issuer: null,
            validTo: null,
            trustedByCa: false,
            error: toErrorInfo(err).message,
          };
        }
      }),
    ),
  );
}

interface TrustPlan {
  updates: { id: number; patch: VcenterPatch }[];
  /** The vCenters whose sync state goes back to idle. */
  settle: number[];
  names: string[];
}

/**
 * What trusting `items` writes: exactly the thumbprint each row showed, so a certificate swapped
 * after the review is still caught by the next sync. A vCenter whose last sync stopped at the old
 * certificate ("certificate changed"), or at the review itself, is settled: back to idle.
 */
function planTrust(
  store: Pick<VcenterStore, 'list'>,
  items: { vcenterId: number; thumbprint: string }[],
): TrustPlan {
  const before = new Map(store.list().map((v) => [v.id, v]));
  const plan: TrustPlan = { updates: [], settle: [], names: [] };
  for (const it of items) {
    const was = before.get(it.vcenterId);
    if (!was) throw new VminerError('NOT_FOUND', `no vCenter with id ${it.vcenterId}`);
    plan.updates.push({
      id: was.id,
      patch: { thumbprint: normalizeThumbprint(it.thumbprint), certReviewPending: false },
    });
    if (
      was.sync.status === 'certificate_changed' ||
      (was.awaitingCertReview && was.sync.error?.code === 'TLS_UNTRUSTED')
    )
      plan.settle.push(was.id);
    plan.names.push(was.name);
  }
  return plan;
}

/** The sync state a trusted vCenter's settling writes. */
export const SETTLED_BY_TRUST = { status: 'idle', errorCode: null, errorMessage: null } as const;

/** Pins the reviewed thumbprints on a data folder: the pins and the settled states in one transaction. */
export function trustCertificates(
  repo: VcenterRepo,
  items: { vcenterId: number; thumbprint: string }[],
): string[] {
  return repo.transaction(() => {
    const plan = planTrust(repo, items);
    repo.bulkWrite([], plan.updates);
    for (const id of plan.settle) repo.setState(id, SETTLED_BY_TRUST);
    return plan.names;
  });
}

/** A trusted certificate whose vCenter's sync state is to be settled: the thumbprint now pinned. */
export interface TrustedPin {
  vcenterId: number;
  thumbprint: string;
}

/**
 * Pins the reviewed thumbprints on the team database: the pins in one bulkWrite; settling the sync
 * states is the leader's write (`settle`, given the pins it may settle on), after the pins have landed.
 */
export async function trustCertificatesOn(
  store: VcenterStore,
  items: { vcenterId: number; thumbprint: string }[],
  settle: (pins: TrustedPin[]) => Promise<void>,
): Promise<string[]> {
  const plan = planTrust(store, items);
  await store.bulkWrite([], plan.updates);
  const pinned = new Map(plan.updates.map((u) => [u.id, u.patch.thumbprint!]));
  if (plan.settle.length > 0)
    await settle(plan.settle.map((id) => ({ vcenterId: id, thumbprint: pinned.get(id)! })));
  return plan.names;
}
