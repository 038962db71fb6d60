/**
 * Test support: an HTTPS reverse proxy in front of a vCenter simulator that pages
 * `RetrievePropertiesEx` answers the way a real vCenter does.
 *
 * The govmomi simulator ignores `maxObjects` and has no `ContinueRetrievePropertiesEx`, so the
 * proxy takes the simulator's complete answer, splits its `<objects>` into pages of `maxObjects`,
 * answers with the first page plus a `<token>`, and serves the rest on `ContinueRetrievePropertiesEx`.
 * It can also inject the faults a real vCenter produces (InvalidProperty, missingSet, a dropped
 * connection). Everything else is forwarded unchanged, session cookie included.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface ProxyTarget {
  /** The simulator's SDK URL, e.g. https://127.0.0.1:12345/sdk */
  url: string;
  /** The simulator's self-signed certificate: the proxy trusts exactly this one. */
  certificatePem: string;
}

export interface PagingProxyOptions {
  /** The first RetrievePropertiesEx that asks for this path gets an InvalidProperty fault. */
  injectInvalidProperty?: string;
  /** Every object of `type` loses that propSet and gets a NoPermission missingSet instead. */
  injectMissingSet?: { type: string; path: string };
  /** After this many pages were answered whole, the next page's answer is cut off mid-body (once). */
  dropConnectionAfterPages?: number;
}

export interface PagingProxy {
  url: string;
  port: number;
  /** Uppercase hex, colon separated (as Node and `openssl x509 -fingerprint -sha256` print it). */
  thumbprintSha256: string;
  certificatePem: string;
  /** SOAP method names of every call received, in order. */
  readonly calls: string[];
  callCount(method: string): number;
  /** Pages of RetrievePropertiesEx / ContinueRetrievePropertiesEx answered so far. */
  readonly pagesServed: number;
  /** Forgets every pending token, as a vCenter does when a retrieval expires. */
  forgetTokens(): void;
  close(): Promise<void>;
}

const ENVELOPE_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" ' +
  'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_TAIL = '</soapenv:Body></soapenv:Envelope>';

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A fault in the exact shape the simulator (and vCenter) sends, e.g. `InvalidPropertyFault`. */
function faultXml(type: string, message: string, detailInner: string): string {
  return (
    ENVELOPE_HEAD +
    `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${escapeXml(message)}</faultstring>` +
    `<detail><${type}Fault xmlns="urn:vim25" xsi:type="${type}">${detailInner}</${type}Fault></detail>` +
    '</soapenv:Fault>' +
    ENVELOPE_TAIL
  );
}

function pageXml(method: string, objects: string[], token: string | undefined): string {
  // Like vCenter, an empty result has no returnval at all.
  const returnval =
    objects.length > 0 || token
      ? `<returnval>${objects.join('')}${token ? `<token>${token}</token>` : ''}</returnval>`
      : '';
  return (
    ENVELOPE_HEAD + `<${method}Response xmlns="urn:vim25">${returnval}</${method}Response>` + ENVELOPE_TAIL
  );
}

/** The SOAP method of a request: the first element inside `<…:Body>`. */
function soapMethod(xml: string): string {
  return /<(?:[\w-]+:)?Body\b[^>]*>\s*<(?:[\w-]+:)?([\w]+)/.exec(xml)?.[1] ?? '?';
}

function missingSetXml(objType: string, objValue: string, propPath: string): string {
  return (
    `<missingSet><path>${escapeXml(propPath)}</path><fault><fault xsi:type="NoPermission">` +
    `<object type="${objType}">${objValue}</object><privilegeId>System.Read</privilegeId></fault>` +
    '<localizedMessage>Permission to perform this operation was denied.</localizedMessage></fault></missingSet>'
  );
}

/** Replaces the named propSet of every object of `type` with a NoPermission missingSet. */
function injectMissing(objects: string[], type: string, propPath: string): string[] {
  const propSet = new RegExp(`<propSet><name>${escapeRegExp(propPath)}</name>[\\s\\S]*?</propSet>`);
  return objects.map((o) => {
    const obj = /^<objects><obj type="([^"]+)">([^<]*)<\/obj>/.exec(o);
    if (!obj || obj[1] !== type) return o;
    return o
      .replace(propSet, '')
      .replace(/<\/objects>$/, `${missingSetXml(type, obj[2] ?? '', propPath)}</objects>`);
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A fresh self-signed certificate for 127.0.0.1, made with the openssl CLI. */
export async function makeCertificate(): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vminer-proxy-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await execFileP('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function startPagingProxy(
  target: ProxyTarget,
  opts: PagingProxyOptions = {},
): Promise<PagingProxy> {
  const { key, cert } = await makeCertificate();
  const targetUrl = new URL(target.url);
  const agent = new https.Agent({ keepAlive: true, ca: target.certificatePem });
  const calls: string[] = [];
  const tokens = new Map<string, string[][]>();
  let tokenSeq = 0;
  let pagesServed = 0;
  let invalidInjected = false;
  let dropped = false;

  const forward = (req: IncomingMessage, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const headers: OutgoingHttpHeaders = { ...req.headers, host: targetUrl.host };
      delete headers['connection'];
      const up = https.request(
        {
          protocol: 'https:',
          hostname: targetUrl.hostname,
          port: targetUrl.port,
          path: req.url,
          method: req.method,
          headers,
          agent,
        },
        (res) => {
          readBody(res).then(
            (b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }),
            reject,
          );
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  const send = (res: ServerResponse, status: number, xml: string): void => {
    const body = Buffer.from(xml, 'utf8');
    res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', 'content-length': body.length });
    res.end(body);
  };

  /** Answers one page; the page after `dropConnectionAfterPages` whole ones is cut off mid-body. */
  const sendPage = (res: ServerResponse, method: string, objects: string[], token?: string): void => {
    const xml = pageXml(method, objects, token);
    if (
      opts.dropConnectionAfterPages !== undefined &&
      pagesServed >= opts.dropConnectionAfterPages &&
      !dropped
    ) {
      dropped = true;
      const body = Buffer.from(xml, 'utf8');
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': body.length });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    pagesServed++;
    send(res, 200, xml);
  };

  const paginate = (objects: string[], maxObjects: number): string[][] => {
    const pages: string[][] = [];
    const size = maxObjects > 0 ? maxObjects : Math.max(objects.length, 1);
    for (let i = 0; i < objects.length; i += size) pages.push(objects.slice(i, i + size));
    return pages.length > 0 ? pages : [[]];
  };

  const nextToken = (rest: string[][]): string | undefined => {
    if (rest.length === 0) return undefined;
    const token = `proxy-token-${++tokenSeq}`;
    tokens.set(token, rest);
    return token;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const text = body.toString('utf8');
    const method = soapMethod(text);
    calls.push(method);

    if (method === 'ContinueRetrievePropertiesEx') {
      const token = /<token>([^<]*)<\/token>/.exec(text)?.[1] ?? '';
      const pages = tokens.get(token);
      tokens.delete(token);
      const [page, ...rest] = pages ?? [];
      if (!page) {
        send(
          res,
          500,
          faultXml(
            'InvalidArgument',
            'A specified parameter was not correct: token',
            '<invalidProperty>token</invalidProperty>',
          ),
        );
        return;
      }
      sendPage(res, method, page, nextToken(rest));
      return;
    }

    const bad = opts.injectInvalidProperty;
    if (
      method === 'RetrievePropertiesEx' &&
      bad !== undefined &&
      !invalidInjected &&
      text.includes(`<pathSet>${escapeXml(bad)}</pathSet>`)
    ) {
      invalidInjected = true;
      send(res, 500, faultXml('InvalidProperty', '', `<name>${escapeXml(bad)}</name>`));
      return;
    }

    const up = await forward(req, body);
    const passHeaders: OutgoingHttpHeaders = {};
    if (up.headers['set-cookie']) passHeaders['set-cookie'] = up.headers['set-cookie'];
    const upText = up.body.toString('utf8');

    if (method === 'RetrievePropertiesEx' && up.status === 200) {
      let objects: string[] = upText.match(/<objects>[\s\S]*?<\/objects>/g) ?? [];
      if (opts.injectMissingSet)
        objects = injectMissing(objects, opts.injectMissingSet.type, opts.injectMissingSet.path);
      const maxObjects = Number(/<maxObjects>(\d+)<\/maxObjects>/.exec(text)?.[1] ?? 0);
      const [page = [], ...rest] = paginate(objects, maxObjects);
      sendPage(res, method, page, nextToken(rest));
      return;
    }
    res.writeHead(up.status, {
      ...passHeaders,
      'content-type': up.headers['content-type'] ?? 'text/xml; charset=utf-8',
      'content-length': up.body.length,
    });
    res.end(up.body);
  };

  const server = https.createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`paging proxy: ${String(err)}`);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `https://127.0.0.1:${port}${targetUrl.pathname}`,
    port,
    thumbprintSha256: new X509Certificate(cert).fingerprint256,
    certificatePem: cert,
    calls,
    callCount: (m) => calls.filter((c) => c === m).length,
    get pagesServed() {
      return pagesServed;
    },
    forgetTokens: () => tokens.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
