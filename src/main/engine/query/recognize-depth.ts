import {
  CHILD_ENTITY_WORDS,
  DISK_KIND_TAILS,
  DISK_KINDS,
  DISK_WORDS,
  NIC_ADAPTERS,
  NIC_WORDS,
  SINGULAR_CHILD_WORDS,
} from './depth-terms.js';
import { ENTITY_WORDS } from './lexicon.js';
import type { ParseState } from './parse-state.js';
import { isKnownWord } from './words.js';

const HAVE = new Set(['with', 'have', 'has', 'having', 'using', 'use', 'uses']);
const WITHOUT = new Set(['without', 'lacking', 'missing']);
const ARTICLES = new Set(['a', 'an', 'any', 'the', 'one', 'some']);
const ATTR_LEAD = new Set(['where', 'whose']);
const IS_WORDS = new Set(['is', '=', 'equals', 'of', 'set']);
const OFF_WORDS = new Set(['disabled', 'off', 'inactive']);
const ON_WORDS = new Set(['enabled', 'on', 'active']);

/**
 * "with / without / with no …" before a depth phrase: where the phrase starts and whether it
 * says the thing is missing.
 */
function lead(s: ParseState, i: number): { at: number; absent: boolean } {
  const w = s.n(i);
  let j = i;
  let absent = false;
  if (WITHOUT.has(w)) {
    absent = true;
    j++;
  } else if (HAVE.has(w)) {
    j++;
    if (s.n(j) === 'no') {
      absent = true;
      j++;
    }
  } else if (w === 'no') {
    absent = true;
    j++;
  }
  while (ARTICLES.has(s.n(j))) j++;
  return { at: j, absent };
}

/** A tag value as typed: "backup=gold", "backup:gold", "backup/gold" (category and tag) or "gold". */
function tagValue(
  s: ParseState,
  k: number,
): { value?: string; category?: string; tag?: string; next: number } | undefined {
  const t = s.tokens[k];
  if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) return undefined;
  if (t.kind === 'word' && (ENTITY_WORDS[t.norm] || (isKnownWord(t.norm) && !s.names.isName(t.norm))))
    return undefined;
  const next = s.tokens[k + 1];
  const after = s.tokens[k + 2];
  if (
    next?.kind === 'symbol' &&
    next.raw === '=' &&
    after &&
    (after.kind === 'word' || after.kind === 'quoted')
  )
    return { category: t.raw, tag: after.raw, next: k + 3 };
  const m = t.kind === 'word' ? /^([^:/]+)[:/](.+)$/.exec(t.raw) : null;
  if (m) return { category: m[1]!, tag: m[2]!, next: k + 1 };
  return { value: t.raw, next: k + 1 };
}

/** "tagged backup", "tagged backup=gold", "with tag gold", "with the gold tag", "untagged", "without tags". */
function recogniseTags(s: ParseState): boolean {
  const i = s.i;
  const w = s.n(i);
  if (w === 'untagged' || (w === 'not' && s.n(i + 1) === 'tagged')) {
    s.negateAt = s.negating ? -1 : i;
    s.push({ t: 'tag' });
    s.i = i + (w === 'not' ? 2 : 1);
    return true;
  }
  if (w === 'tagged') {
    let k = i + 1;
    if (['with', 'as'].includes(s.n(k))) k++;
    const v = tagValue(s, k);
    s.push(v ? { t: 'tag', ...withoutNext(v) } : { t: 'tag' });
    s.i = v ? v.next : k > i + 1 ? k : i + 1;
    return true;
  }
  const { at, absent } = lead(s, i);
  // "with tag gold", "with tags", "without tags", "with no tags".
  if ((at > i || w === 'tag' || w === 'tags') && (s.n(at) === 'tag' || s.n(at) === 'tags')) {
    const v = s.n(at) === 'tag' ? tagValue(s, at + 1) : undefined;
    if (!v && at === i && s.q.entity === undefined) return false; // "tags in …": the entity
    if (absent) s.negateAt = s.negating ? -1 : i;
    s.push(v ? { t: 'tag', ...withoutNext(v) } : { t: 'tag' });
    s.i = v ? v.next : at + 1;
    return true;
  }
  // "with the gold tag", "with a backup tag".
  if (at > i && s.n(at + 1) === 'tag') {
    const v = tagValue(s, at);
    if (v && v.next === at + 1) {
      if (absent) s.negateAt = s.negating ? -1 : i;
      s.push({ t: 'tag', ...withoutNext(v) });
      s.i = at + 2;
      return true;
    }
  }
  return false;
}

function withoutNext<T extends { next: number }>(v: T): Omit<T, 'next'> {
  const { next: _next, ...rest } = v;
  return rest;
}

/** A custom attribute named at `k` (one token, or two joined by "-": "cost center"). */
function attributeAt(s: ParseState, k: number): { name: string; next: number } | undefined {
  const look = s.names.attribute;
  if (!look) return undefined;
  const t = s.tokens[k];
  if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) return undefined;
  const one = look.call(s.names, t.norm);
  if (one) return { name: one, next: k + 1 };
  const two = s.tokens[k + 1];
  if (two?.kind === 'word') {
    const joined = look.call(s.names, `${t.norm}-${two.norm}`) ?? look.call(s.names, `${t.norm} ${two.norm}`);
    if (joined) return { name: joined, next: k + 2 };
  }
  return undefined;
}

/** "where owner is alice", "whose owner is not bob", "with owner alice", "with an owner", "without owner". */
function recogniseAttribute(s: ParseState): boolean {
  const i = s.i;
  const w = s.n(i);
  // "where owner is …", "whose owner is …": the attribute follows; "with (an|no) owner …" too.
  const where = ATTR_LEAD.has(w);
  const { at, absent } = where ? { at: i + 1, absent: false } : lead(s, i);
  const led = where || at > i;
  const attr = attributeAt(s, at);
  if (!attr) return false;
  let j = attr.next;
  let negate = absent;
  if (s.n(j) === 'is' && s.n(j + 1) === 'not') {
    negate = !negate;
    j += 2;
  } else if (s.n(j) === '!=' || s.n(j) === '<>') {
    negate = !negate;
    j++;
  } else if (IS_WORDS.has(s.n(j))) {
    j++;
    if (s.n(j) === 'to') j++;
  } else if (!led) return false;
  const v = s.tokens[j];
  const hasValue =
    !absent &&
    v !== undefined &&
    (v.kind === 'quoted' ||
      v.kind === 'number' ||
      (v.kind === 'word' && !ENTITY_WORDS[v.norm] && !['and', 'or'].includes(v.norm)));
  if (negate) s.negateAt = s.negating ? -1 : i;
  if (hasValue) {
    s.push({ t: 'attr', name: attr.name, value: v.raw });
    s.i = j + 1;
  } else {
    s.push({ t: 'attr', name: attr.name });
    s.i = j;
  }
  return true;
}

/** "efi vms", "vms with bios firmware", "with secure boot", "secure boot disabled". */
function recogniseFirmware(s: ParseState): boolean {
  const i = s.i;
  const { at, absent } = lead(s, i);
  const w = s.n(at);
  if (
    w === 'efi' ||
    w === 'uefi' ||
    (w === 'bios' &&
      (at > i || ENTITY_WORDS[s.n(at + 1)] || s.n(at + 1) === 'firmware' || s.n(at + 1) === 'boot'))
  ) {
    if (absent) s.negateAt = s.negating ? -1 : i;
    s.push({ t: 'state', key: w === 'bios' ? 'bios' : 'efi' });
    s.i = at + 1;
    if (s.n(s.i) === 'firmware' || s.n(s.i) === 'boot') s.i++;
    return true;
  }
  const secure = w === 'secureboot' ? 1 : w === 'secure' && s.n(at + 1) === 'boot' ? 2 : 0;
  if (secure) {
    let j = at + secure;
    let off = absent;
    if (['is', 'are', 'was'].includes(s.n(j))) j++;
    if (s.n(j) === 'not') {
      off = !off;
      j++;
    }
    if (ON_WORDS.has(s.n(j))) j++;
    else if (OFF_WORDS.has(s.n(j))) {
      off = !off;
      j++;
    }
    if (off) s.negateAt = s.negating ? -1 : i;
    s.push({ t: 'state', key: 'secureBoot' });
    s.i = j;
    return true;
  }
  return false;
}

/** "thin disks", "vms with thick provisioned disks", "eager zeroed disks", "vms with rdms", "e1000 nics". */
function recogniseDevices(s: ParseState): boolean {
  const i = s.i;
  const { at, absent } = lead(s, i);
  const kind = DISK_KINDS[s.n(at)];
  if (kind) {
    let j = at + 1;
    while (DISK_KIND_TAILS.has(s.n(j))) j++;
    const diskWord = DISK_WORDS.has(s.n(j));
    // "thin provisioned vms", "raw device mappings", "rdms": the disks are implied; "raw" alone is no disk.
    const implied =
      s.n(at) === 'rdms' ||
      (j > at + 1 && (kind !== 'rdm' || ['mapping', 'mappings', 'mapped'].includes(s.n(j - 1)))) ||
      (kind !== 'rdm' && kind !== 'independent' && ENTITY_WORDS[s.n(j)] !== undefined);
    if (!diskWord && !implied) return false;
    if (absent) s.negateAt = s.negating ? -1 : i;
    const end = j + (diskWord ? 1 : 0);
    s.push({
      t: 'disk',
      kind,
      label: s.tokens
        .slice(at, end)
        .map((t) => t.raw)
        .join(' '),
    });
    if (diskWord && s.q.entity === undefined) s.q.entity = 'disks';
    s.i = end;
    return true;
  }
  const adapter = NIC_ADAPTERS[s.n(at)];
  if (adapter) {
    let j = at + 1;
    if (s.n(j) === 'network' && NIC_WORDS.has(s.n(j + 1))) j++;
    const nicWord = NIC_WORDS.has(s.n(j));
    if (absent) s.negateAt = s.negating ? -1 : i;
    s.push({ t: 'nic', adapter });
    if (nicWord && s.q.entity === undefined) s.q.entity = 'nics';
    s.i = j + (nicWord ? 1 : 0);
    return true;
  }
  return false;
}

/** A question that starts with a child entity: "partitions over 90% full", "disks on ds-01", "tags". */
function recogniseChildEntity(s: ParseState): boolean {
  const w = s.n(s.i);
  const e = CHILD_ENTITY_WORDS[w];
  if (!e || s.q.entity !== undefined) return false;
  s.q.entity = e;
  s.q.singular = SINGULAR_CHILD_WORDS.has(w);
  s.lastFieldWord = w;
  s.i++;
  return true;
}

/**
 * The RVTools-depth phrases (issue 16): tags and custom attributes, firmware and secure boot,
 * kinds of disk and NIC, and the child entities (disks, NICs, partitions, tags) as a subject.
 */
export function recogniseDepth(s: ParseState): boolean {
  const start = s.i;
  for (const r of [
    recogniseTags,
    recogniseAttribute,
    recogniseFirmware,
    recogniseDevices,
    recogniseChildEntity,
  ]) {
    if (r(s)) return true;
    s.i = start;
  }
  return false;
}
