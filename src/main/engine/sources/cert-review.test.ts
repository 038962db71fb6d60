import { openTestEngine } from '../../../testing/engine.js';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import { createHandlers } from '../api.js';
import { Engine } from '../engine.js';

let dataDir: string;
let engine: Engine;
const servers: tls.Server[] = [];

interface Cert {
  key: string;
  cert: string;
  sha256: string;
}

function selfSigned(cn: string): Cert {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cert-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      path.join(dir, 'k.pem'),
      '-out',
      path.join(dir, 'c.pem'),
    ],
    { stdio: 'ignore' },
  );
  const key = fs.readFileSync(path.join(dir, 'k.pem'), 'utf8');
  const cert = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  return { key, cert, sha256: new X509Certificate(cert).fingerprint256 };
}

async function tlsServer(c: Cert): Promise<{ server: tls.Server; port: number }> {
  const server = tls.createServer({ key: c.key, cert: c.cert }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { server, port: (server.address() as { port: number }).port };
}

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-certs-'));
  engine = await openTestEngine(dataDir);
});

afterAll(async () => {
  engine.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('bulk certificate trust', () => {
  it('lists every imported vCenter with its thumbprint, pins them together, and shows a renewal as "certificate changed"', async () => {
    const certs = [selfSigned('vc-a.test'), selfSigned('vc-b.test')];
    const a = await tlsServer(certs[0]!);
    const b = await tlsServer(certs[1]!);
    const closed = await tlsServer(certs[0]!);
    const closedPort = closed.port;
    await new Promise((r) => closed.server.close(r));
    const csv = `name,host\nvc-a,127.0.0.1:${a.port}\nvc-b,127.0.0.1:${b.port}\nvc-gone,127.0.0.1:${closedPort}\n`;
    const imported = await call('import.apply', { content: csv });
    expect(imported.addedIds).toHaveLength(3);

    const review = await call('certs.review', {});
    expect(review.map((r) => [r.name, r.state, r.thumbprint, r.pinned])).toEqual([
      ['vc-a', 'new', certs[0]!.sha256, null],
      ['vc-b', 'new', certs[1]!.sha256, null],
      ['vc-gone', 'unreachable', null, null],
    ]);
    expect(review[0]!.subject).toMatch(/CN=vc-a\.test/);
    expect(review[2]!.error).toMatch(/refused/i);

    const accepted = await call('certs.trust', {
      items: review
        .filter((r) => r.thumbprint)
        .map((r) => ({ vcenterId: r.vcenterId, thumbprint: r.thumbprint! })),
    });
    expect(accepted.trusted).toEqual(['vc-a', 'vc-b']);
    expect(engine.vcenters.findByName('vc-b')!.thumbprint).toBe(certs[1]!.sha256);
    // Pinned ones no longer wait for review; the unreachable one still does.
    expect((await call('certs.review', {})).map((r) => r.name)).toEqual(['vc-gone']);

    // vc-a renews its certificate; its next sync reports certificate_changed.
    const renewed = selfSigned('vc-a.test');
    a.server.setSecureContext({ key: renewed.key, cert: renewed.cert });
    const vcA = engine.vcenters.findByName('vc-a')!;
    engine.vcenters.setState(vcA.id, {
      status: 'certificate_changed',
      errorCode: 'CERT_CHANGED',
      errorMessage: 'changed',
    });
    const again = await call('certs.review', {});
    const row = again.find((r) => r.name === 'vc-a')!;
    expect([row.state, row.pinned, row.thumbprint]).toEqual(['changed', certs[0]!.sha256, renewed.sha256]);

    // One step: accept the renewal; the vCenter is back to idle with the new pin.
    await call('certs.trust', { items: [{ vcenterId: vcA.id, thumbprint: row.thumbprint! }] });
    const after = engine.vcenters.list().find((v) => v.id === vcA.id)!;
    expect([after.thumbprint, after.sync.status, after.sync.error]).toEqual([renewed.sha256, 'idle', null]);
    const checked = await call('certs.review', { vcenterIds: [vcA.id] });
    expect(checked[0]!.state).toBe('trusted');
  });

  it('refuses a thumbprint that is not SHA-256 and pins nothing of the batch', async () => {
    const ids = engine.vcenters.list().map((v) => v.id);
    const before = engine.vcenters.list().map((v) => v.thumbprint);
    await expect(
      call('certs.trust', {
        items: [
          { vcenterId: ids[2]!, thumbprint: 'AA:'.repeat(31) + 'AA' },
          { vcenterId: ids[0]!, thumbprint: 'AB:'.repeat(19) + 'AB' },
        ],
      }),
    ).rejects.toThrow(/SHA-1/);
    expect(engine.vcenters.list().map((v) => v.thumbprint)).toEqual(before);
  });
});
