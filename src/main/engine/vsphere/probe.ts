import { toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';
import { normalizeVcenterUrl } from '../../../shared/vcenter-input.js';
import { SoapClient, type AboutInfo } from './soap-client.js';
import { fetchPeerCertificate, type PeerCertificateInfo } from './transport.js';

export { normalizeVcenterUrl };

export interface ProbeResult {
  url: string;
  certificate: PeerCertificateInfo;
  about: AboutInfo | null;
  aboutError: ErrorInfo | null;
}

/**
 * What a vCenter presents before anyone trusts it: its certificate and its product identity. The
 * service content is read without logging in, over a connection pinned to the certificate just seen.
 */
export async function probeVcenter(
  rawUrl: string,
  opts: { timeoutMs?: number; caPem?: string } = {},
): Promise<ProbeResult> {
  const url = normalizeVcenterUrl(rawUrl);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const certificate = await fetchPeerCertificate(url, timeoutMs, opts.caPem);
  const client = new SoapClient({
    url,
    trust: { kind: 'thumbprint', sha256: certificate.thumbprintSha256 },
    connectTimeoutMs: timeoutMs,
    callTimeoutMs: timeoutMs,
  });
  try {
    const sc = await client.retrieveServiceContent();
    return { url, certificate, about: sc.about, aboutError: null };
  } catch (err) {
    return { url, certificate, about: null, aboutError: toErrorInfo(err) };
  } finally {
    client.destroy();
  }
}
