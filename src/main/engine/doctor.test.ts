import { openTestEngine } from '../../testing/engine.js';
import { freePort } from '../../testing/net.js';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../shared/contract.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../testing/vcsim.js';
import { startTdsResponder, type TdsResponder } from '../../testing/tds-responder.js';
import { createHandlers } from './api.js';
import { Engine } from './engine.js';

let dataDir: string;
let engine: Engine;
let sim: RunningSimulator;
let tds: TdsResponder;
let busy: net.Server;

const USER = 'svc-ro@vsphere.local';
const PASSWORD = 'Doctor#Pw1';

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

beforeAll(async () => {
  sim = await startSimulator({ vms: 5, user: USER, password: PASSWORD });
  tds = await startTdsResponder({
    logins: { reader: 'Sql#Pw1' },
    answer: () => ({
      columns: [
        { name: 'name', type: 'nvarchar' },
        { name: 'host', type: 'nvarchar' },
        { name: 'port', type: 'int' },
      ],
      rows: [['vc1', 'vc1.corp', 443]],
    }),
  });
  busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-doctor-'));
  engine = await openTestEngine(dataDir);
  await call('accounts.add', { name: 'corp', username: USER, password: PASSWORD });
  await call('vcenters.add', {
    name: 'good',
    url: sim.url,
    credential: { kind: 'service' },
    thumbprint: sim.thumbprintSha256,
  });
  await call('vcenters.add', {
    name: 'wrong-password',
    url: sim.url.replace('127.0.0.1', 'localhost'),
    username: USER,
    password: 'not-it',
    thumbprint: sim.thumbprintSha256,
  });
  await call('vcenters.add', {
    name: 'renewed',
    // The same simulator under another address (one address belongs to one vCenter).
    url: sim.url.replace('/sdk', '/sdk/'),
    username: USER,
    password: PASSWORD,
    thumbprint: 'AA:'.repeat(31) + 'AA',
  });
  await call('vcenters.add', {
    name: 'down',
    url: `127.0.0.1:${await freePort()}`,
    username: 'u',
    password: 'p#1',
  });
  await call('vcenters.add', {
    name: 'nowhere',
    url: 'vc.does-not-exist.invalid',
    username: 'u',
    password: 'p#1',
  });
  await call('sources.add', {
    name: 'cmdb',
    kind: 'mssql',
    connection: { server: '127.0.0.1', port: tds.port, database: 'CMDB', user: 'reader', encrypt: false },
    password: 'Sql#Pw1',
    timeoutSeconds: 5,
  });
});

afterAll(async () => {
  engine?.close();
  await tds?.close();
  await new Promise((r) => busy.close(r));
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('vminer doctor', () => {
  it('checks the folder, migrations, keychain, each vCenter step by step, the SQL source and the REST port', async () => {
    const busyPort = (busy.address() as net.AddressInfo).port;
    const report = await call('doctor.run', { port: busyPort, timeoutMs: 3000 });
    const by = (subject: string) =>
      report.checks.filter((c) => c.subject === subject).map((c) => `${c.step}:${c.status}`);
    expect(by('data folder')).toEqual([
      'writable:ok',
      process.platform === 'win32' ? 'private:skip' : 'private:ok',
    ]);
    expect(by('database')).toEqual(['migrations:ok', 'integrity:ok']);
    expect(report.checks.find((c) => c.subject === 'database')!.detail).toMatch(/^(\d+) of \1 applied$/);
    expect(by('credential vault')).toEqual(['opens:ok']);
    expect(['ok', 'warn']).toContain(report.checks.find((c) => c.subject === 'keychain')!.status);

    expect(by('vCenter good')).toEqual(['DNS:ok', 'TCP:ok', 'TLS:ok', 'login:ok']);
    expect(report.checks.find((c) => c.subject === 'vCenter good' && c.step === 'login')!.detail).toBe(
      `logged in as ${USER}`,
    );
    expect(by('vCenter wrong-password')).toEqual(['DNS:ok', 'TCP:ok', 'TLS:ok', 'login:fail']);
    expect(by('vCenter renewed')).toEqual(['DNS:ok', 'TCP:ok', 'TLS:fail']);
    expect(report.checks.find((c) => c.subject === 'vCenter renewed' && c.step === 'TLS')!.detail).toMatch(
      /certificate changed/,
    );
    expect(by('vCenter down')).toEqual(['DNS:ok', 'TCP:fail']);
    expect(by('vCenter nowhere')).toEqual(['DNS:fail']);
    // The test server speaks TDS without TLS: the doctor says so.
    expect(by('source cmdb')).toEqual(['settings:warn', 'query:ok']);
    expect(report.checks.find((c) => c.subject === 'source cmdb' && c.step === 'settings')!.detail).toMatch(
      /not encrypted/,
    );
    expect(report.checks.find((c) => c.subject === 'source cmdb' && c.step === 'query')!.detail).toMatch(
      /^1 rows \(columns name, host, port\)/,
    );
    expect(by('REST listener')).toEqual(['port free:fail']);
    expect(report.ok).toBe(false);

    const local = await call('doctor.run', { port: await freePort(), localOnly: true });
    expect(local.checks.some((c) => c.subject.startsWith('vCenter'))).toBe(false);
    expect(local.checks.find((c) => c.subject === 'REST listener')!.status).toBe('ok');
    expect(local.ok).toBe(true);
  });

  it('is not carried over HTTP (it checks this machine)', () => {
    expect(CONTRACT['doctor.run'].http).toBe(false);
  });
});
