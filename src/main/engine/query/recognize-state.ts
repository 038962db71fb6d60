import type { StateKey } from './atoms.js';
import { DATASTORE_TYPES, ENTITY_WORDS } from './lexicon.js';
import type { ParseState } from './parse-state.js';
import { datePhrase } from './recognize-dates.js';
import { isFieldWord, STATE_WORDS } from './words.js';

const ON_WORDS = new Set(['enabled', 'on', 'active', 'configured']);
const SWITCH_WORDS = new Set(['enabled', 'disabled', 'on', 'off', 'active', 'inactive']);
const WITHOUT = new Set(['without', 'missing', 'lacking', 'lacks', 'lack']);
const HAVE = new Set(['with', 'have', 'has', 'having']);
/** What "with / without …" can say is there or missing (besides field and entity words). */
const HAS_TARGETS = new Set([
  'ip',
  'ips',
  'address',
  'addresses',
  'annotation',
  'annotations',
  'notes',
  'note',
  'description',
]);

/** Tools phrases after "tools [is|are]": the state they name and how many words they take. */
function toolsStateAt(s: ParseState, j: number): [StateKey, number] | undefined {
  const n = (k: number): string => s.n(k);
  if (s.at(j, ['not', 'running'])) return ['toolsNotRunning', 2];
  if (s.at(j, ['not', 'installed'])) return ['toolsNotInstalled', 2];
  if (s.at(j, ['not', 'ok'])) return undefined; // "tools not ok": the negation of "tools ok", read by the caller
  if (s.at(j, ['out', 'of', 'date'])) return ['toolsOld', 3];
  if (['outdated', 'old', 'upgrade', 'stale', 'obsolete'].includes(n(j))) return ['toolsOld', 1];
  for (const verb of ['need', 'needs', 'needing', 'require', 'requires'])
    if (n(j) === verb) {
      const k = ['an', 'a'].includes(n(j + 1)) ? j + 2 : j + 1;
      if (['upgrade', 'update', 'upgrading', 'updating', 'updated', 'upgraded'].includes(n(k)))
        return ['toolsOld', k - j + 1];
    }
  if (['missing', 'absent'].includes(n(j))) return ['toolsNotInstalled', 1];
  if (s.at(j, ['up', 'to', 'date'])) return ['toolsOk', 3];
  if (['ok', 'current', 'uptodate', 'healthy', 'fine', 'good'].includes(n(j))) return ['toolsOk', 1];
  if (['unhealthy', 'issues', 'issue', 'problems', 'problem', 'broken', 'bad', 'errors'].includes(n(j)))
    return ['toolsUnhealthy', 1];
  if (n(j) === 'running') return ['toolsRunning', 1];
  if (['stopped', 'down', 'dead'].includes(n(j))) return ['toolsNotRunning', 1];
  return undefined;
}

/**
 * States and typed attributes: power, connection, maintenance, VMware Tools (as people say them),
 * HA / DRS, datastore types, ESXi versions, standalone hosts, and "with / without …".
 */
export function recogniseState(s: ParseState): boolean {
  const i = s.i;
  const w = s.n(i);
  const n = (k: number): string => s.n(k);

  // Power.
  if (
    (w === 'powered' || w === 'power' || w === 'turned' || w === 'switched') &&
    ['on', 'off', 'down'].includes(n(i + 1))
  ) {
    s.push({ t: 'state', key: n(i + 1) === 'on' ? 'poweredOn' : 'poweredOff' });
    s.i = i + 2;
    // "powered on since monday": the date is the boot time.
    if (n(i + 1) === 'on' && datePhrase(s, i + 2)) s.dateWord = 'booted';
    return true;
  }
  if (
    w === 'off' &&
    (ENTITY_WORDS[n(i + 1)] ||
      ['are', 'is', 'be', 'being', 'was', 'were'].includes(n(i - 1)) ||
      i === s.tokens.length - 1)
  ) {
    s.push({ t: 'state', key: 'poweredOff' });
    s.i = i + 1;
    return true;
  }
  if (w === 'shut' && n(i + 1) === 'down') {
    s.push({ t: 'state', key: 'poweredOff' });
    s.i = i + 2;
    return true;
  }
  if (s.at(i, ['not', 'responding']) || s.at(i, ['non', 'responsive']) || w === 'unresponsive') {
    s.push({ t: 'state', key: 'notResponding' });
    s.i = i + (w === 'unresponsive' ? 1 : 2);
    return true;
  }

  // VMware Tools.
  if (w === 'tools' || (w === 'vmware' && n(i + 1) === 'tools')) {
    let j = w === 'vmware' ? i + 2 : i + 1;
    if (['are', 'is', 'that', 'which'].includes(n(j))) j++;
    if (['are', 'is'].includes(n(j))) j++;
    if (s.at(j, ['not', 'ok']) || s.at(j, ['not', 'healthy'])) {
      s.negateAt = s.negating ? -1 : i;
      s.push({ t: 'state', key: 'toolsOk' });
      s.i = j + 2;
      return true;
    }
    // "tools are not current", "tools not running" (read above), "tools not up to date".
    const negatedOk = n(j) === 'not' ? toolsStateAt(s, j + 1) : undefined;
    if (negatedOk && (negatedOk[0] === 'toolsOk' || negatedOk[0] === 'toolsRunning')) {
      if (negatedOk[0] === 'toolsOk') s.negateAt = s.negating ? -1 : i;
      s.push({ t: 'state', key: negatedOk[0] === 'toolsOk' ? 'toolsOk' : 'toolsNotRunning' });
      s.lastFieldWord = 'tools';
      s.i = j + 1 + negatedOk[1];
      return true;
    }
    const st = toolsStateAt(s, j);
    if (st) {
      s.push({ t: 'state', key: st[0] });
      s.lastFieldWord = 'tools';
      s.i = j + st[1];
      return true;
    }
  }
  // "tools running but outdated": a second tools state after the first.
  if (s.lastFieldWord === 'tools' && ['but', 'and'].includes(n(i - 1))) {
    const st = toolsStateAt(s, i);
    if (st) {
      s.push({ t: 'state', key: st[0] });
      s.i = i + st[1];
      return true;
    }
  }
  if (
    ['outdated', 'old', 'stale', 'unhealthy', 'healthy', 'stopped', 'broken'].includes(w) &&
    (n(i + 1) === 'tools' || s.at(i + 1, ['vmware', 'tools']))
  ) {
    const key: StateKey =
      w === 'healthy'
        ? 'toolsOk'
        : w === 'unhealthy' || w === 'broken'
          ? 'toolsUnhealthy'
          : w === 'stopped'
            ? 'toolsNotRunning'
            : 'toolsOld';
    s.push({ t: 'state', key });
    s.i = i + (n(i + 1) === 'tools' ? 2 : 3);
    return true;
  }

  // HA and DRS: "ha enabled", "with drs", "where ha is not enabled", "drs turned off", "without ha".
  const haAt = (k: number): boolean =>
    n(k) === 'ha' || n(k) === 'drs' || n(k) === 'ha-enabled' || n(k) === 'drs-enabled';
  const withNo = HAVE.has(w) && n(i + 1) === 'no' && haAt(i + 2);
  if (
    withNo ||
    haAt(i) ||
    ((HAVE.has(w) || WITHOUT.has(w) || (w === 'no' && !s.isNum(i + 1))) && haAt(i + 1))
  ) {
    const at = withNo ? i + 2 : haAt(i) ? i : i + 1;
    const which = n(at).startsWith('ha') ? 'ha' : 'drs';
    let on = !WITHOUT.has(w) && w !== 'no' && !withNo;
    let j = at + 1;
    if (n(at).endsWith('-enabled')) on = true;
    else {
      if (['is', 'are', 'was', 'set', 'been'].includes(n(j))) j++;
      if (n(j) === 'not') {
        on = !on;
        j++;
      }
      if (['turned', 'switched', 'set'].includes(n(j))) j++;
      if (SWITCH_WORDS.has(n(j)) || n(j) === 'configured') {
        if (!ON_WORDS.has(n(j))) on = !on;
        j++;
      }
    }
    s.push({ t: 'state', key: which === 'ha' ? (on ? 'haOn' : 'haOff') : on ? 'drsOn' : 'drsOff' });
    s.i = j;
    return true;
  }

  // Datastore types: "vmfs datastores", "datastores of type nfs", "vms on vsan".
  {
    let j = i;
    if (['on', 'of', 'in'].includes(w) && DATASTORE_TYPES[n(i + 1)]) j = i + 1;
    else if (s.at(i, ['of', 'type']) && DATASTORE_TYPES[n(i + 2)]) j = i + 2;
    else if (w === 'type' && DATASTORE_TYPES[n(i + 1)]) j = i + 1;
    if (DATASTORE_TYPES[n(j)]) {
      s.push({ t: 'dstype', types: DATASTORE_TYPES[n(j)]!, label: n(j) });
      s.i = j + 1;
      return true;
    }
  }

  // ESXi versions: "esxi 8 hosts", "hosts running esxi 7.0.3", "with esxi version 8.0.2".
  {
    let j = i;
    if (['running', 'on', 'with', 'at'].includes(w) && (n(i + 1) === 'esxi' || n(i + 1) === 'esx')) j = i + 1;
    if (n(j) === 'esxi' || n(j) === 'esx') {
      let k = j + 1;
      if (n(k) === 'version') k++;
      const v = s.tokens[k];
      if (v && (v.kind === 'number' || /^\d+(\.\d+)+$/.test(v.norm))) {
        s.push({ t: 'esxi', version: v.norm });
        s.i = k + 1;
        return true;
      }
    }
  }

  // Maintenance, "out of maintenance".
  if (s.at(i, ['out', 'of', 'maintenance'])) {
    s.negateAt = s.negating ? -1 : i;
    s.push({ t: 'state', key: 'maintenance' });
    s.i = i + 3 + (n(i + 3) === 'mode' ? 1 : 0);
    return true;
  }
  if ((w === 'in' && n(i + 1) === 'maintenance') || w === 'maintenance') {
    s.push({ t: 'state', key: 'maintenance' });
    s.i = i + (w === 'in' ? 2 : 1);
    if (n(s.i) === 'mode') s.i++;
    return true;
  }
  if (STATE_WORDS[w] && !(w === 'running' && n(i + 1) === 'for')) {
    s.push({ t: 'state', key: STATE_WORDS[w] });
    s.i = i + 1;
    return true;
  }

  // Missing / present data: "without an ip", "with no snapshots", "that have a snapshot".
  const noAt = HAVE.has(w) && n(i + 1) === 'no' ? i + 1 : w === 'no' && !s.isNum(i + 1) ? i : -1;
  if (WITHOUT.has(w) || noAt >= 0) {
    let j = noAt >= 0 ? noAt + 1 : i + 1;
    while (['an', 'a', 'any', 'the'].includes(n(j))) j++;
    const what = n(j);
    if (what === 'maintenance') {
      s.negateAt = s.negating ? -1 : i;
      s.push({ t: 'state', key: 'maintenance' });
      s.i = j + 1 + (n(j + 1) === 'mode' ? 1 : 0);
      return true;
    }
    if (what === 'tools' || s.at(j, ['vmware', 'tools'])) {
      s.push({ t: 'state', key: 'toolsNotInstalled' });
      s.i = j + (what === 'tools' ? 1 : 2);
      return true;
    }
    // "without sql in the name": a name condition, read by the names stage.
    if (
      s.at(j + 1, ['in', 'the', 'name']) ||
      s.at(j + 1, ['in', 'their', 'name']) ||
      s.at(j + 1, ['in', 'its', 'name'])
    )
      return false;
    if (
      what &&
      s.tokens[j]?.kind === 'word' &&
      (HAS_TARGETS.has(what) || isFieldWord(what) || ENTITY_WORDS[what])
    ) {
      const ip = what === 'ip' && (n(j + 1) === 'address' || n(j + 1) === 'addresses');
      s.push({ t: 'has', what: ip ? 'ip' : what, present: false });
      s.i = j + 1 + (ip ? 1 : 0);
      return true;
    }
  }
  if (HAVE.has(w)) {
    let j = i + 1;
    while (['an', 'a', 'any', 'one', 'some'].includes(n(j))) j++;
    if (s.at(j, ['or', 'more'])) j += 2;
    const what = n(j);
    if (
      s.tokens[j + 1]?.kind !== 'ip' &&
      ['snapshots', 'snapshot', 'ip', 'annotation', 'annotations', 'notes'].includes(what) &&
      !s.at(j + 1, ['in', 'the', 'name'])
    ) {
      // "with snapshots older than 30 days": the age condition follows and says it all.
      const dated =
        what.startsWith('snapshot') &&
        (['older', 'newer', 'from', 'since', 'taken', 'created'].includes(n(j + 1)) || s.comparatorAt(j + 1));
      if (!dated) s.push({ t: 'has', what, present: true });
      s.lastFieldWord = what;
      s.dateWord = undefined;
      s.i = j + 1;
      return true;
    }
  }
  return false;
}
