import pLimit from 'p-limit';
import { VminerError, toErrorInfo } from '../../../shared/errors.js';
import type { CertReviewItem } from '../../../shared/sources.js';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import type { VcenterRepo } from '../db/vcenter-repo.js';
import { normalizeThumbprint } from '../vsphere/thumbprint.js';
import { fetchPeerCertificate } from '../vsphere/transport.js';

/**
 * vCenters whose certificate wants a look: a renewed one ("certificate changed"), and new ones that
 * have never synced and trust neither a pin nor a private CA (what an import or a source adds).
 */
export function needsReview(v: VcenterWithState): boolean {
  if (v.retiredAt !== null) return false;
  if (v.sync.status === 'certificate_changed') return true;
  return v.thumbprint === null && !v.hasCustomCa && v.sync.lastSuccessAt === null;
}

/** Reads what each vCenter presents now, several at a time; one unreachable vCenter is one row, not a failure. */
export async function reviewCertificates(
  repo: VcenterRepo,
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
              : c.trustedByCa
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

/**
 * Pins the reviewed thumbprints, all together: exactly the thumbprint each row showed, so a
 * certificate swapped after the review is still caught by the next sync. A vCenter that showed
 * "certificate changed" goes back to idle.
 */
export function trustCertificates(
  repo: VcenterRepo,
  items: { vcenterId: number; thumbprint: string }[],
): string[] {
  const pinned: string[] = [];
  repo.transaction(() => {
    const status = new Map(repo.list().map((v) => [v.id, v.sync.status]));
    for (const it of items) {
      const v = repo.get(it.vcenterId);
      if (!v) throw new VminerError('NOT_FOUND', `no vCenter with id ${it.vcenterId}`);
      repo.update(v.id, { thumbprint: normalizeThumbprint(it.thumbprint) });
      if (status.get(v.id) === 'certificate_changed')
        repo.setState(v.id, { status: 'idle', errorCode: null, errorMessage: null });
      pinned.push(v.name);
    }
  });
  return pinned;
}
