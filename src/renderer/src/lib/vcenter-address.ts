/**
 * Checks a vCenter address as typed in the Add/Edit dialog, before anything is sent: a host name
 * or IP, optionally `https://`, a port and a path. The engine checks again; this says what is
 * wrong while typing and keeps Save disabled until it is fixed.
 */
export function vcenterAddressProblem(input: string): string | null {
  const raw = input.trim();
  if (!raw) return 'Enter the vCenter’s address: a host name, an IP address or an https:// URL.';
  if (/\s/.test(raw)) return 'An address has no spaces.';
  const scheme = /^([^:/?#]*):\/\//.exec(raw);
  if (scheme) {
    if (!/^[a-z][a-z0-9+.-]*$/i.test(scheme[1]!))
      return `“${scheme[1]}://” is not a scheme: write https://host or just the host name.`;
    if (scheme[1]!.toLowerCase() !== 'https') return 'vCenter is reached over https:// only.';
  } else if (raw.includes('://')) return 'Write https://host or just the host name.';
  let url: URL;
  try {
    url = new URL(scheme ? raw : `https://${raw}`);
  } catch {
    const port = /:(\d+)(?:[/?#]|$)/.exec(raw.replace(/^https:\/\//i, ''));
    if (port && Number(port[1]) > 65_535) return `Port ${port[1]} is out of range (1–65535).`;
    return `“${raw}” is not a valid address (e.g. vc01.corp.example or https://vc01.corp.example/sdk).`;
  }
  if (url.username || url.password) return 'Leave the user name out of the address; enter it below.';
  const host = url.hostname;
  const ipv6 = host.startsWith('[') && host.endsWith(']');
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
  if (!ipv6 && (host.length > 253 || !host.split('.').every((l) => label.test(l))))
    return `“${host}” is not a valid host name (letters, digits, hyphens and dots).`;
  if (url.port && (Number(url.port) < 1 || Number(url.port) > 65_535))
    return `Port ${url.port} is out of range (1–65535).`;
  return null;
}
