import pLimit from 'p-limit';
import { VminerError, toErrorInfo } from '../../../shared/errors.js';
import type { CertReviewItem } from '../../../shared/sources.js';
import type { VcenterWithState } from '../../../shared/vcenter.js';
import type { VcenterRepo } from '../db/vcenter-repo.js';
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
    const before = new Map(repo.list().map((v) => [v.id, v]));
    for (const it of items) {
      const v = repo.get(it.vcenterId);
      if (!v) throw new VminerError('NOT_FOUND', `no vCenter with id ${it.vcenterId}`);
      repo.update(v.id, { thumbprint: normalizeThumbprint(it.thumbprint), certReviewPending: false });
      const was = before.get(v.id);
      // Its last sync stopped at the old certificate, or at the review itself: that is settled now.
      if (
        was?.sync.status === 'certificate_changed' ||
        (was?.awaitingCertReview && was.sync.error?.code === 'TLS_UNTRUSTED')
      )
        repo.setState(v.id, { status: 'idle', errorCode: null, errorMessage: null });
      pinned.push(v.name);
    }
  });
  return pinned;
}
