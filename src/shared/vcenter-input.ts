/**
 * What a vCenter's name and address may be: checked here, once, for every way in (the CLI, REST
 * and IPC through the engine's handlers, a file import, a SQL source). Each check says why.
 */
import { VminerError } from './errors.js';

export const MAX_NAME_LENGTH = 100;
export const MAX_URL_LENGTH = 500;

/**
 * Control characters (C0, C1, DEL), format characters (bidi overrides and isolates, zero-width
 * space and joiners, byte-order mark, soft hyphen), line and paragraph separators, surrogates,
 * private-use and unassigned code points: nothing a person can see or type on purpose.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

function describeChar(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `name` cannot name a vCenter, or null when it can (after trimming). */
export function vcenterNameProblem(name: string): string | null {
  const n = name.trim();
  if (n.length === 0) return 'the name is empty';
  const length = [...n].length;
  if (length > MAX_NAME_LENGTH)
    return `the name is ${length.toLocaleString('en')} characters long; at most ${MAX_NAME_LENGTH} are allowed`;
  const bad = INVISIBLE.exec(n);
  if (bad)
    return `the name contains an invisible or control character (${describeChar(bad[0])}); use printable characters only`;
  return null;
}

/** The trimmed name, or INVALID_INPUT saying what is wrong with it. */
export function checkVcenterName(name: string): string {
  const problem = vcenterNameProblem(name);
  if (problem) throw new VminerError('INVALID_INPUT', `vCenter name: ${problem}`);
  return name.trim();
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

const SCHEME = /^([^:/?#]*):\/\//;

/**
 * `vc01.corp`, `vc01.corp:8443` or `https://vc01.corp` → `https://vc01.corp/sdk`; or why the
 * input is no vCenter address: another scheme, a user name or password in it, whitespace or
 * control characters, a bad host name or port.
 */
export function parseVcenterUrl(input: string): { ok: true; url: string } | { ok: false; problem: string } {
  const raw = input.trim();
  // Shown in the reason, without whatever user name or password it holds (errors reach logs).
  const masked = raw.replace(/^([^:/?#@]*:\/\/)?[^/?#@]*@/, '$1…@');
  const show =
    masked.length > 80 ? `${masked.slice(0, 60)}… (${raw.length.toLocaleString('en')} characters)` : masked;
  const bad = (why: string): { ok: false; problem: string } => ({ ok: false, problem: `"${show}": ${why}` });
  if (!raw) return { ok: false, problem: 'the address is empty' };
  if (raw.length > MAX_URL_LENGTH) return bad(`longer than ${MAX_URL_LENGTH} characters`);
  const hidden = /\s/.exec(raw) ?? INVISIBLE.exec(raw);
  if (hidden) return bad(`contains whitespace or a control character (${describeChar(hidden[0])})`);
  const scheme = SCHEME.exec(raw);
  if (scheme && scheme[1]!.toLowerCase() !== 'https')
    return bad(
      /^[a-z][a-z0-9+.-]*$/i.test(scheme[1]!)
        ? 'vCenter is reached over https:// only'
        : `"${scheme[1]}" is not a URL scheme (use https://host)`,
    );
  let url: URL;
  try {
    url = new URL(scheme ? raw : `https://${raw}`);
  } catch {
    return bad('not a valid address (e.g. https://vc01.corp/sdk)');
  }
  if (url.username || url.password)
    return bad(
      'the address contains a user name or password; give the user separately (--user, or the login fields) and never a password in an address',
    );
  if (url.port === '0') return bad('port 0 is not a port (1-65535)');
  if (!isValidHost(url.hostname)) return bad(`"${url.hostname}" is not a valid host name or IP address`);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/sdk';
  url.search = '';
  url.hash = '';
  return { ok: true, url: url.toString() };
}

/** The normalised `https://host[:port]/path` of a vCenter, or INVALID_INPUT with the reason. */
export function normalizeVcenterUrl(input: string): string {
  const r = parseVcenterUrl(input);
  if (!r.ok) throw new VminerError('INVALID_INPUT', `vCenter address ${r.problem}`);
  return r.url;
}
