import https from 'node:https';
import tls from 'node:tls';
import net from 'node:net';
import dns from 'node:dns';
import type { Duplex } from 'node:stream';
import { VminerError } from '../../../shared/errors.js';
import { normalizeThumbprint } from './thumbprint.js';

/** How a vCenter's certificate is trusted: never "ignore". */
export type TrustPolicy =
  { kind: 'ca'; extraCaPem?: string | undefined } | { kind: 'thumbprint'; sha256: string };

export interface TransportOptions {
  url: string;
  trust: TrustPolicy;
  connectTimeoutMs: number;
  /** Connections at once (default 1: a SOAP session is one conversation). */
  maxSockets?: number;
  /** Resolver timeout; DNS goes through c-ares first so a dead resolver never blocks libuv's pool. */
  dnsTimeoutMs?: number;
}

export interface PeerCertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  thumbprintSha256: string;
  pem: string;
  /** True when the chain verifies against the system CAs (plus the extra CA, if any) and the host name. */
  trustedByCa: boolean;
  caError: string | undefined;
}

function formatName(name: tls.PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

function toPem(raw: Buffer): string {
  const b64 =
    raw
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n') ?? '';
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export function describeCertificate(
  socket: tls.TLSSocket,
  ca: boolean,
  caError?: string,
): PeerCertificateInfo {
  const cert = socket.getPeerCertificate(false);
  if (!cert || !cert.raw) throw new VminerError('PROTOCOL', 'the server presented no certificate');
  return {
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    validFrom: new Date(cert.valid_from).toISOString(),
    validTo: new Date(cert.valid_to).toISOString(),
    thumbprintSha256: cert.fingerprint256,
    pem: toPem(cert.raw),
    trustedByCa: ca,
    caError,
  };
}

const resolver = new dns.promises.Resolver({ timeout: 3000, tries: 2 });

/** Resolves with c-ares (no libuv thread) and falls back to getaddrinfo for /etc/hosts names, bounded. */
export async function resolveHost(host: string, timeoutMs: number): Promise<string> {
  if (net.isIP(host)) return host;
  if (host === 'localhost') return '127.0.0.1';
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new VminerError('DNS', `${host}: name lookup timed out after ${timeoutMs} ms`)),
      timeoutMs,
    ).unref(),
  );
  const attempt = (async () => {
    try {
      const [a] = await resolver.resolve4(host);
      if (a) return a;
    } catch {
      /* fall through to the system resolver (hosts file, mDNS, search domains) */
    }
    try {
      const r = await dns.promises.lookup(host);
      return r.address;
    } catch (err) {
      throw new VminerError('DNS', `${host}: the name does not resolve (check the host name and DNS)`, {
        cause: err,
      });
    }
  })();
  return Promise.race([attempt, deadline]);
}

export function classifyNetworkError(err: unknown, host: string): VminerError {
  if (err instanceof VminerError) return err;
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? '';
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new VminerError('DNS', `${host}: the name does not resolve (check the host name and DNS)`, {
        cause: err,
      });
    case 'ECONNREFUSED':
      return new VminerError(
        'REFUSED',
        `${host}: connection refused (is this the vCenter address and port?)`,
        {
          cause: err,
        },
      );
    case 'ETIMEDOUT':
      return new VminerError('TIMEOUT', `${host}: the connection timed out (check routing and firewalls)`, {
        cause: err,
      });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new VminerError('UNREACHABLE', `${host}: host unreachable (check routing and firewalls)`, {
        cause: err,
      });
    case 'ECONNRESET':
    case 'EPIPE':
      return new VminerError('UNREACHABLE', `${host}: the connection was dropped by the server or network`, {
        cause: err,
      });
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new VminerError(
        'TLS_UNTRUSTED',
        `${host}: the certificate is not trusted (${e.reason ?? e.message}). Run \`vminer vcenter probe\` to see it, ` +
          'then pin its thumbprint (--thumbprint / --trust-presented-cert) or add the issuing CA (--ca-file).',
        { cause: err },
      );
    default:
      return new VminerError('UNREACHABLE', `${host}: ${e?.message ?? String(err)}`, { cause: err });
  }
}

/**
 * An HTTPS agent that holds one keep-alive connection and only hands a socket to HTTP after the
 * certificate was checked, so nothing (a password in particular) is written to an untrusted peer.
 */
export function createAgent(opts: TransportOptions): https.Agent {
  const url = new URL(opts.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const pin = opts.trust.kind === 'thumbprint' ? normalizeThumbprint(opts.trust.sha256) : undefined;
  const ca =
    opts.trust.kind === 'ca' && opts.trust.extraCaPem
      ? [...tls.rootCertificates, opts.trust.extraCaPem]
      : undefined;

  class VerifyingAgent extends https.Agent {
    override createConnection(
      options: https.RequestOptions,
      oncreate?: (err: Error | null, socket: Duplex) => void,
    ): Duplex | null | undefined {
      const done = oncreate ?? (() => undefined);
      resolveHost(host, opts.dnsTimeoutMs ?? opts.connectTimeoutMs)
        .then((address) => {
          const socket = tls.connect({
            host: address,
            port: Number(options.port ?? url.port ?? 443) || 443,
            servername: net.isIP(host) ? undefined : host,
            rejectUnauthorized: pin === undefined,
            ca,
            timeout: opts.connectTimeoutMs,
            ALPNProtocols: ['http/1.1'],
          });
          if (pin === undefined) {
            // checkServerIdentity must use the name, not the resolved address.
            const timer = setTimeout(
              () => socket.destroy(new VminerError('TIMEOUT', `${host}: TLS connection timed out`)),
              opts.connectTimeoutMs,
            );
            socket.once('secureConnect', () => {
              clearTimeout(timer);
              const err = tls.checkServerIdentity(host, socket.getPeerCertificate());
              if (err) {
                socket.destroy();
                done(classifyNetworkError(err, host), socket);
              } else done(null, socket);
            });
            socket.once('error', (err) => {
              clearTimeout(timer);
              done(classifyNetworkError(err, host), socket);
            });
            return;
          }
          const timer = setTimeout(
            () => socket.destroy(new VminerError('TIMEOUT', `${host}: TLS connection timed out`)),
            opts.connectTimeoutMs,
          );
          socket.once('secureConnect', () => {
            clearTimeout(timer);
            const presented = socket.getPeerCertificate().fingerprint256;
            if (presented !== pin) {
              socket.destroy();
              done(
                new VminerError(
                  'CERT_CHANGED',
                  `${host}: the certificate changed — it presents SHA-256 ${presented}, but ${pin} is pinned. ` +
                    'If the vCenter certificate was renewed, verify the new thumbprint and pin it again.',
                ),
                socket,
              );
              return;
            }
            done(null, socket);
          });
          socket.once('error', (err) => {
            clearTimeout(timer);
            done(classifyNetworkError(err, host), socket);
          });
        })
        .catch((err: unknown) => done(classifyNetworkError(err, host), new net.Socket()));
      return undefined;
    }
  }
  return new VerifyingAgent({ keepAlive: true, maxSockets: opts.maxSockets ?? 1, keepAliveMsecs: 15_000 });
}

/** Connects without trusting anything, to show what the server presents (`vminer vcenter probe`). */
export async function fetchPeerCertificate(
  rawUrl: string,
  timeoutMs: number,
  extraCaPem?: string,
): Promise<PeerCertificateInfo> {
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const address = await resolveHost(host, timeoutMs);
  return new Promise<PeerCertificateInfo>((resolve, reject) => {
    const socket = tls.connect({
      host: address,
      port: Number(url.port) || 443,
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      ca: extraCaPem ? [...tls.rootCertificates, extraCaPem] : undefined,
    });
    const timer = setTimeout(
      () => socket.destroy(new VminerError('TIMEOUT', `${host}: no TLS answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      try {
        let caError = socket.authorizationError ? String(socket.authorizationError) : undefined;
        if (!caError) caError = tls.checkServerIdentity(host, socket.getPeerCertificate())?.message;
        resolve(describeCertificate(socket, caError === undefined, caError));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      } finally {
        socket.end();
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(classifyNetworkError(err, host));
    });
  });
}
