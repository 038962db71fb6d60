import { normalizeVcenterUrl } from '../vsphere/probe.js';

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

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A DNS name, an IPv4 address or a bracketed IPv6 address — what a vCenter address may be. */
export function isValidHost(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return /^[0-9a-f:.]+$/i.test(host.slice(1, -1));
  if (IPV4.test(host)) return true;
  if (/^\d+(\.\d+)*$/.test(host)) return false;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => LABEL.test(l));
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
  if (name.length > 100) return { ok: false, problem: 'name longer than 100 characters' };
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
  const url = normalizeVcenterUrl(`https://${hostname}${port === 443 ? '' : `:${port}`}${path}`);
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
