import { isValidHost, parseVcenterUrl, vcenterNameProblem } from '../../../shared/vcenter-input.js';

export { isValidHost };

/** One vCenter as a list (a file row, a SQL row) describes it, before it is compared with the registry. */
export interface Candidate {
  name: string;
  url: string;
  username: string | null;
  site: string | null;
  tags: string[] | null;
  enabled: boolean;
}

export interface RawEntry {
  name: string;
  host: string;
  port: string;
  username: string;
  site: string;
  tags: string;
  enabled: string;
}

const FALSE = new Set(['0', 'false', 'no', 'n', 'off', 'disabled', 'inactive']);

export function splitTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,;|\r\n]+/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

/** Turns one raw entry into a candidate, or says what is wrong with it. */
export function toCandidate(raw: RawEntry): { ok: true; value: Candidate } | { ok: false; problem: string } {
  const name = raw.name.trim();
  const hostText = raw.host.trim();
  if (!name && !hostText) return { ok: false, problem: 'no name and no host' };
  if (!hostText) return { ok: false, problem: 'no host' };
  const nameProblem = name ? vcenterNameProblem(name) : null;
  if (nameProblem) return { ok: false, problem: nameProblem };
  let portText = raw.port.trim();
  let hostname: string;
  let path = '/sdk';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(hostText)) {
    let u: URL;
    try {
      u = new URL(hostText);
    } catch {
      return { ok: false, problem: `bad URL "${hostText}"` };
    }
    if (u.protocol !== 'https:')
      return { ok: false, problem: `${hostText}: vCenter is reached over https:// only` };
    if (u.username || u.password)
      return {
        ok: false,
        problem:
          'the address contains a user name or password (a list names at most a user, in its own column)',
      };
    hostname = u.hostname;
    if (u.port && !portText) portText = u.port;
    if (u.pathname !== '/' && u.pathname !== '') path = u.pathname;
  } else {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostText);
    if (!m) return { ok: false, problem: `bad host name "${hostText}"` };
    hostname = m[1]!;
    if (m[2] && !portText) portText = m[2];
  }
  if (!isValidHost(hostname)) return { ok: false, problem: `bad host name "${hostname}"` };
  let port = 443;
  if (portText) {
    const n = Number(portText);
    if (!/^\d+$/.test(portText) || n < 1 || n > 65_535)
      return { ok: false, problem: `bad port "${portText}"` };
    port = n;
  }
  const parsed = parseVcenterUrl(`https://${hostname}${port === 443 ? '' : `:${port}`}${path}`);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  const url = parsed.url;
  return {
    ok: true,
    value: {
      name: name || hostname.replace(/\.$/, ''),
      url,
      username: raw.username.trim() || null,
      site: raw.site.trim() || null,
      tags: raw.tags.trim() ? splitTags(raw.tags) : null,
      enabled: !FALSE.has(raw.enabled.trim().toLowerCase()),
    },
  };
}
