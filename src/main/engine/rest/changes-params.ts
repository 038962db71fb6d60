import type { ChangesRequest } from '../../../shared/changes.js';
import { VminerError } from '../../../shared/errors.js';

const TEXT = ['since', 'until', 'vcenter', 'entity', 'field', 'object', 'source', 'cursor', 'moid'] as const;

/** The OpenAPI description of `GET /api/changes`' query parameters (all text on the wire). */
export const CHANGES_QUERY_DOC = {
  type: 'object',
  properties: {
    since: {
      type: 'string',
      description: 'from: 30m, 24h, 7d, 2w back from now, a date (2026-11-01) or an ISO time',
    },
    until: { type: 'string', description: 'before: the same forms as since' },
    vcenter: { type: 'string', description: "the vCenter's name (now or when recorded)" },
    entity: {
      type: 'string',
      description: 'vms, hosts, clusters, datastores, networks, datacenters, snapshots, vcenters',
    },
    field: { type: 'string', description: 'a field (powerState); a trailing * for a prefix ("disk 2*")' },
    object: {
      type: 'string',
      description: "an object's current or past name: all its rows, renames included",
    },
    kind: { type: 'string', description: 'comma-separated: changed, created, removed, first-sync' },
    source: { type: 'string', description: 'live or sync' },
    vcenterId: { type: 'string', description: 'with moid: one object by its key' },
    moid: { type: 'string' },
    limit: { type: 'string', description: 'rows per page, 1–5000 (default 100)' },
    cursor: { type: 'string', description: "the previous page's nextCursor (also in the Link header)" },
    counts: { type: 'string', description: 'false: leave out the counts per kind' },
  },
} as const;

/** `GET /api/changes?since=24h&kind=created,removed…` as a `changes.list` request (validated by the contract). */
export function changesRequestFromQuery(q: Record<string, unknown>): ChangesRequest {
  const one = (k: string): string | undefined => {
    const v = q[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string')
      throw new VminerError(
        'INVALID_INPUT',
        `give the "${k}" parameter once (it was given ${Array.isArray(v) ? v.length : 0} times)`,
      );
    return v;
  };
  const known = new Set<string>([...TEXT, 'kind', 'limit', 'vcenterId', 'counts']);
  const unknown = Object.keys(q).filter((k) => !known.has(k));
  if (unknown.length > 0)
    throw new VminerError(
      'INVALID_INPUT',
      `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the change history takes ${[...known].join(', ')}`,
    );
  const out: Record<string, unknown> = {};
  for (const k of TEXT) {
    const v = one(k);
    if (v !== undefined) out[k] = v;
  }
  const num = (k: string): number | undefined => {
    const v = one(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
      throw new VminerError('INVALID_INPUT', `${k} takes a whole number, not "${v}"`);
    return n;
  };
  const limit = num('limit');
  if (limit !== undefined) out['limit'] = limit;
  const vcenterId = num('vcenterId');
  if (vcenterId !== undefined) out['vcenterId'] = vcenterId;
  const kind = one('kind');
  if (kind !== undefined)
    out['kind'] = kind
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const counts = one('counts');
  if (counts !== undefined) {
    if (counts !== 'true' && counts !== 'false')
      throw new VminerError('INVALID_INPUT', `counts takes true or false, not "${counts}"`);
    out['counts'] = counts === 'true';
  }
  return out as ChangesRequest;
}
