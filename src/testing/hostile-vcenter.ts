/**
 * Test support: a hostile vim25 endpoint on 127.0.0.1 — what a broken or malicious "vCenter" can
 * send to vMiner. It answers the calls before the one under test normally (service content,
 * login, container view) and then misbehaves on `at`:
 *
 * - `oversized`: a well-formed answer of `sizeMb` made of many objects; with `declareLength` the
 *   size is announced in Content-Length, else it is sent chunked.
 * - `deep`: `sizeMb` of nested elements (`<a><a><a>…`).
 * - `long-text`: one text node of `sizeMb`.
 * - `malformed`: a short answer whose closing tag does not match, on line 3.
 * - `trickle`: a valid start, then one byte every `trickleMs`, never finishing.
 *
 * Large bodies are generated as they are sent (64 KB at a time, with back-pressure), so the
 * endpoint itself holds no more than a chunk; it stops when the client hangs up.
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { makeCertificate } from './paging-proxy.js';

export type HostileKind = 'oversized' | 'deep' | 'long-text' | 'malformed' | 'trickle';

export interface HostileOptions {
  kind: HostileKind;
  /** The call that gets the hostile answer (default RetrievePropertiesEx). */
  at?: 'RetrieveServiceContent' | 'RetrievePropertiesEx';
  /** Size of the generated body for oversized / deep / long-text (default 200 MB). */
  sizeMb?: number;
  /** oversized: announce the size in Content-Length (default: chunked, no length). */
  declareLength?: boolean;
  /** trickle: pause between bytes (default 200 ms). */
  trickleMs?: number;
}

export interface HostileVcenter {
  url: string;
  thumbprintSha256: string;
  /** SOAP methods received, in order. */
  readonly calls: string[];
  /** Bytes of hostile body written before the client went away. */
  readonly hostileBytesSent: number;
  close(): Promise<void>;
}

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>';
const TAIL = '</soapenv:Body></soapenv:Envelope>';
const CHUNK = 64 * 1024;

function response(method: string, inner: string): string {
  return `${HEAD}<${method}Response xmlns="urn:vim25">${inner}</${method}Response>${TAIL}`;
}

const SERVICE_CONTENT =
  '<returnval><rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>' +
  '<viewManager type="ViewManager">ViewManager</viewManager><about><name>Hostile</name><fullName>Hostile vCenter 8.0</fullName>' +
  '<version>8.0.2</version><build>1</build><apiVersion>8.0.2.0</apiVersion><instanceUuid>hostile</instanceUuid><productLineId>vpx</productLineId></about>' +
  '<sessionManager type="SessionManager">SessionManager</sessionManager></returnval>';

/** A body made of a head, `total` bytes of repeated `unit`, and a tail, produced chunk by chunk. */
function* generate(head: string, unit: string, total: number, tail: string): Generator<string> {
  yield head;
  const chunk = unit.repeat(Math.max(1, Math.floor(CHUNK / unit.length)));
  let sent = 0;
  while (sent + chunk.length <= total) {
    yield chunk;
    sent += chunk.length;
  }
  if (total > sent) yield unit.repeat(Math.ceil((total - sent) / unit.length));
  yield tail;
}

function bodyOf(method: string, o: Required<Omit<HostileOptions, 'at'>>): Generator<string> {
  const total = o.sizeMb * 1024 * 1024;
  const open = `${HEAD}<${method}Response xmlns="urn:vim25"><returnval>`;
  const close = `</returnval></${method}Response>${TAIL}`;
  switch (o.kind) {
    case 'oversized': {
      const vm = (i: number): string =>
        `<objects><obj type="VirtualMachine">vm-${i}</obj><propSet><name>name</name><val xsi:type="xsd:string">hostile-${i}</val></propSet></objects>`;
      return generate(open, vm(1), total, close);
    }
    case 'deep':
      return generate(open, '<a>', total, close);
    case 'long-text':
      return generate(
        `${open}<objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val xsi:type="xsd:string">`,
        'x',
        total,
        `</val></propSet></objects>${close}`,
      );
    default:
      throw new Error(`no generated body for ${o.kind}`);
  }
}

async function stream(
  res: ServerResponse,
  parts: Iterable<string>,
  count: (n: number) => void,
): Promise<void> {
  for (const part of parts) {
    if (res.destroyed) return;
    count(part.length);
    if (!res.write(part)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    }
  }
  if (!res.destroyed) res.end();
}

export async function startHostileVcenter(options: HostileOptions): Promise<HostileVcenter> {
  const o = {
    kind: options.kind,
    sizeMb: options.sizeMb ?? 200,
    declareLength: options.declareLength ?? false,
    trickleMs: options.trickleMs ?? 200,
  };
  const at = options.at ?? 'RetrievePropertiesEx';
  const { key, cert } = await makeCertificate();
  const calls: string[] = [];
  let hostileBytesSent = 0;
  const timers = new Set<NodeJS.Timeout>();

  const hostile = (method: string, res: ServerResponse): void => {
    const head = { 'content-type': 'text/xml; charset=utf-8' };
    if (o.kind === 'malformed') {
      // Line 1: the XML declaration; line 2: Envelope; line 3: Body and the broken answer.
      const xml = `${HEAD}<${method}Response xmlns="urn:vim25"><returnval><token>1</tokn></returnval></${method}Response>${TAIL}`;
      res.writeHead(200, { ...head, 'content-length': Buffer.byteLength(xml) });
      res.end(xml);
      return;
    }
    if (o.kind === 'trickle') {
      res.writeHead(200, head);
      const text = `${HEAD}<${method}Response xmlns="urn:vim25"><returnval>`;
      let i = 0;
      const tick = (): void => {
        if (res.destroyed) return;
        res.write(i < text.length ? text[i]! : ' ');
        i++;
        hostileBytesSent++;
        const t = setTimeout(() => {
          timers.delete(t);
          tick();
        }, o.trickleMs);
        timers.add(t);
      };
      tick();
      return;
    }
    const parts = bodyOf(method, o);
    if (o.declareLength) {
      // The announced length: head and tail plus `sizeMb` (what `generate` sends).
      let length = 0;
      for (const p of bodyOf(method, { ...o, sizeMb: 0 })) length += Buffer.byteLength(p);
      res.writeHead(200, { ...head, 'content-length': length + o.sizeMb * 1024 * 1024 });
    } else res.writeHead(200, head);
    stream(res, parts, (n) => (hostileBytesSent += n)).catch(() => undefined);
  };

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = /<soapenv:Body><(\w+)/.exec(body)?.[1] ?? '';
      calls.push(method);
      if (method === at) {
        hostile(method, res);
        return;
      }
      let xml: string;
      const extra: Record<string, string> = {};
      switch (method) {
        case 'RetrieveServiceContent':
          xml = response(method, SERVICE_CONTENT);
          break;
        case 'Login':
          xml = response(method, '<returnval><key>s1</key><userName>u</userName></returnval>');
          extra['set-cookie'] = 'vmware_soap_session="hostile"; Path=/; HttpOnly';
          break;
        case 'CreateContainerView':
          xml = response(method, '<returnval type="ContainerView">session[1]view</returnval>');
          break;
        default:
          xml = response(method, '');
      }
      res.writeHead(200, {
        'content-type': 'text/xml; charset=utf-8',
        'content-length': Buffer.byteLength(xml),
        ...extra,
      });
      res.end(xml);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/sdk`,
    thumbprintSha256: new X509Certificate(cert).fingerprint256,
    calls,
    get hostileBytesSent() {
      return hostileBytesSent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
