import { OS_FAMILIES, PREPS } from './lexicon.js';
import type { ParseState } from './parse-state.js';

const INTRO = new Set(['running', 'run', 'runs', 'on']);

/** The family word at j ("red hat" is two words, "oracle linux" too). */
function familyAt(s: ParseState, j: number): { key: string; label: string; len: number } | undefined {
  if (s.at(j, ['red', 'hat'])) return { key: 'redhat', label: 'red hat', len: 2 };
  const w = s.n(j);
  if (!OS_FAMILIES[w]) return undefined;
  if (w === 'oracle' && s.n(j + 1) === 'linux') return { key: w, label: 'oracle linux', len: 2 };
  if (w === 'photon' && s.n(j + 1) === 'os') return { key: w, label: 'photon os', len: 2 };
  return { key: w, label: w, len: 1 };
}

/**
 * Guest OS phrases, over the guest full name (configured and reported) and the guest id:
 * "windows 2019", "rhel 8", "sles", "vms running ubuntu", "with guest os rhel", "whose os is …".
 */
export function recogniseOs(s: ParseState): boolean {
  const i = s.i;
  let j = i;
  // Lead-ins: "running ubuntu", "on windows", "guest os rhel", "os is ubuntu", "operating system".
  while (j < s.tokens.length) {
    const w = s.n(j);
    if (INTRO.has(w) || PREPS.has(w) || w === 'guest' || w === 'os' || w === 'is' || w === 'of') j++;
    else if (s.at(j, ['operating', 'system'])) j += 2;
    else break;
  }
  const fam = familyAt(s, j);
  if (!fam) return false;
  if (
    j > i &&
    !['running', 'run', 'runs', 'guest', 'os', 'on', 'operating', 'with'].includes(s.n(i)) &&
    !PREPS.has(s.n(i))
  )
    return false;
  const family = OS_FAMILIES[fam.key]!;
  j += fam.len;
  let label = fam.label;
  if (s.n(j) === 'server') {
    label += ' server';
    j++;
  }
  const v = s.tokens[j];
  let match = { names: family.names, ids: family.ids };
  if (v && (v.kind === 'number' || /^\d+(\.\d+)*$/.test(v.norm)) && family.version) {
    match = family.version(v.norm);
    label += ` ${v.norm}`;
    j++;
  } else if (label === 'windows server')
    match = { names: ['windows server'], ids: ['windows*Server*', 'windows*srv*'] };
  s.push({ t: 'os', match, label });
  s.i = j;
  return true;
}
