/**
 * Test support: a scripted vim25 endpoint for what the govmomi simulator never does — update
 * versions that change, truncated update sets, InvalidCollectorVersion, partial changes. The
 * test supplies the WaitForUpdatesEx answers; login, views, filters and re-reads are answered here.
 */
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCertificate } from './paging-proxy.js';

export type FakeValue =
  string | number | boolean | { ref: [type: string, value: string] } | { refs: [string, string][] };

export interface FakeObject {
  type: string;
  id: string;
  props: Record<string, FakeValue>;
}

export interface FakeUpdate {
  kind: 'enter' | 'modify' | 'leave';
  obj: [type: string, id: string];
  /** Property name -> value (assign), or null (remove). */
  changes?: Record<string, FakeValue | null>;
}

/** What the endpoint answers to one WaitForUpdatesEx, given the version the client sent. */
export type WaitAnswer =
  | { updates: FakeUpdate[]; version: string; truncated?: boolean }
  | { fault: 'InvalidCollectorVersion' | 'NotAuthenticated' }
  | { empty: true };

export interface FakeVcenter {
  url: string;
  thumbprintSha256: string;
  /** The version of every WaitForUpdatesEx received, in order ("" for none). */
  readonly versions: string[];
  /** SOAP methods received, in order. */
  readonly calls: string[];
  /** Objects returned by a targeted RetrievePropertiesEx (re-read after a partial change). */
  objects: Map<string, FakeObject>;
  close(): Promise<void>;
}

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const TAIL = '</soapenv:Body></soapenv:Envelope>';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function valXml(v: FakeValue): string {
  if (typeof v === 'object' && 'ref' in v)
    return `<val type="${v.ref[0]}" xsi:type="ManagedObjectReference">${esc(v.ref[1])}</val>`;
  if (typeof v === 'object' && 'refs' in v)
    return `<val xsi:type="ArrayOfManagedObjectReference">${v.refs.map(([t, id]) => `<ManagedObjectReference type="${t}" xsi:type="ManagedObjectReference">${esc(id)}</ManagedObjectReference>`).join('')}</val>`;
  const type = typeof v === 'boolean' ? 'xsd:boolean' : typeof v === 'number' ? 'xsd:int' : 'xsd:string';
  return `<val xsi:type="${type}">${esc(String(v))}</val>`;
}

function updateXml(u: FakeUpdate): string {
  const changes = Object.entries(u.changes ?? {})
    .map(([name, v]) =>
      v === null
        ? `<changeSet><name>${esc(name)}</name><op>remove</op></changeSet>`
        : `<changeSet><name>${esc(name)}</name><op>assign</op>${valXml(v)}</changeSet>`,
    )
    .join('');
  return `<objectSet><kind>${u.kind}</kind><obj type="${u.obj[0]}">${esc(u.obj[1])}</obj>${changes}</objectSet>`;
}

function fault(type: string, message: string): string {
  return (
    HEAD +
    `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${esc(message)}</faultstring>` +
    `<detail><${type}Fault xmlns="urn:vim25" xsi:type="${type}"></${type}Fault></detail></soapenv:Fault>` +
    TAIL
  );
}

function response(method: string, inner: string): string {
  return `${HEAD}<${method}Response xmlns="urn:vim25">${inner}</${method}Response>${TAIL}`;
}

export async function startFakeVcenter(
  wait: (version: string, call: number) => WaitAnswer,
  /** rejectLogin: answer Login with InvalidLogin while it returns true. */
  opts: { rejectLogin?: () => boolean } = {},
): Promise<FakeVcenter> {
  const { key, cert } = await makeCertificate();
  const versions: string[] = [];
  const calls: string[] = [];
  const objects = new Map<string, FakeObject>();
  let filters = 0;

  const answer = (method: string, body: string): { status: number; xml: string; delayMs?: number } => {
    switch (method) {
      case 'RetrieveServiceContent':
        return {
          status: 200,
          xml: response(
            method,
            '<returnval><rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>' +
              '<viewManager type="ViewManager">ViewManager</viewManager><about><name>Fake vCenter</name><fullName>Fake vCenter 8.0</fullName>' +
              '<version>8.0.2</version><build>1</build><apiVersion>8.0.2.0</apiVersion><instanceUuid>fake-uuid</instanceUuid><productLineId>vpx</productLineId></about>' +
              '<sessionManager type="SessionManager">SessionManager</sessionManager></returnval>',
          ),
        };
      case 'Login':
        if (opts.rejectLogin?.())
          return {
            status: 500,
            xml: fault('InvalidLogin', 'Cannot complete login due to an incorrect user name or password.'),
          };
        return {
          status: 200,
          xml: response(method, '<returnval><key>s1</key><userName>u</userName></returnval>'),
        };
      case 'CreateContainerView':
        return {
          status: 200,
          xml: response(method, '<returnval type="ContainerView">session[1]view</returnval>'),
        };
      case 'CreateFilter':
        filters++;
        return {
          status: 200,
          xml: response(method, `<returnval type="PropertyFilter">filter-${filters}</returnval>`),
        };
      case 'DestroyPropertyFilter':
      case 'Logout':
      case 'DestroyView':
        return { status: 200, xml: response(method, '') };
      case 'RetrievePropertiesEx': {
        const ids = [...body.matchAll(/<obj type="([^"]+)">([^<]+)<\/obj>/g)].map((m) => `${m[1]}:${m[2]}`);
        const found = ids.map((k) => objects.get(k)).filter((o): o is FakeObject => o !== undefined);
        const inner = found
          .map(
            (o) =>
              `<objects><obj type="${o.type}">${esc(o.id)}</obj>${Object.entries(o.props)
                .map(([n, v]) => `<propSet><name>${esc(n)}</name>${valXml(v)}</propSet>`)
                .join('')}</objects>`,
          )
          .join('');
        return { status: 200, xml: response(method, found.length ? `<returnval>${inner}</returnval>` : '') };
      }
      case 'WaitForUpdatesEx': {
        const version = /<version>([^<]*)<\/version>/.exec(body)?.[1] ?? '';
        versions.push(version);
        const a = wait(version, versions.length);
        if ('fault' in a) return { status: 500, xml: fault(a.fault, `fake: ${a.fault}`) };
        if ('empty' in a) return { status: 200, xml: response(method, ''), delayMs: 100 };
        return {
          status: 200,
          xml: response(
            method,
            `<returnval><version>${esc(a.version)}</version><filterSet><filter type="PropertyFilter">filter-${filters}</filter>` +
              a.updates.map(updateXml).join('') +
              `</filterSet>${a.truncated ? '<truncated>true</truncated>' : ''}</returnval>`,
          ),
        };
      }
      default:
        return { status: 500, xml: fault('NotImplemented', `fake: ${method} is not scripted`) };
    }
  };

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = /<soapenv:Body><(\w+)/.exec(body)?.[1] ?? '';
      calls.push(method);
      const { status, xml, delayMs } = answer(method, body);
      const payload = Buffer.from(xml, 'utf8');
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(status, {
          'content-type': 'text/xml; charset=utf-8',
          'content-length': payload.length,
          ...(method === 'Login' ? { 'set-cookie': 'vmware_soap_session="fake"; Path=/; HttpOnly' } : {}),
        });
        res.end(payload);
      };
      // An empty answer stands for "maxWaitSeconds passed": held briefly, as a server would.
      if (delayMs) setTimeout(send, delayMs);
      else send();
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
    versions,
    calls,
    objects,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
