/**
 * The CMDB does not decide where passwords go. A vCenter a SQL source adds — or moves to a new
 * address — gets no password until its certificate is pinned or reviewed, unless the source is
 * marked to trust CA-valid certificates. A real simulator behind the vCenter, the real `mssql`
 * driver against a TDS responder for the source; the collector is watched (not replaced) to see
 * which passwords leave.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { startTdsResponder, type TdsResponder, type TdsValue } from '../../../testing/tds-responder.js';
import { createHandlers } from '../api.js';
import type { Engine } from '../engine.js';
import { openTestEngine } from '../../../testing/engine.js';
import { collectInventory, type CollectOptions } from '../vsphere/collect.js';

const USER = 'svc-ro@vsphere.local';
const PASSWORD = 'Svc#Trust-1';

let sim: RunningSimulator;
let tds: TdsResponder;
let table: TdsValue[][];
let dataDir: string;
let engine: Engine;
/** Every login the collector was handed: where it went and with which password. */
const logins: { host: string; password: string }[] = [];

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

const vc = () => engine.vcenters.list().find((v) => v.name === 'vc-sim')!;

beforeAll(async () => {
  sim = await startSimulator({ vms: 4, user: USER, password: PASSWORD, namePrefix: 'tr' });
  const port = Number(new URL(sim.url).port);
  table = [['vc-sim', '127.0.0.1', port]];
  tds = await startTdsResponder({
    logins: { reader: 'Cmdb#Pw-1' },
    answer: () => ({
      columns: [
        { name: 'name', type: 'nvarchar' },
        { name: 'host', type: 'nvarchar' },
        { name: 'port', type: 'int' },
      ],
      rows: table,
    }),
  });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-srctrust-'));
  engine = await openTestEngine(dataDir, {
    collect: (o: CollectOptions) => {
      logins.push({ host: new URL(o.url).host, password: o.password });
      return collectInventory(o);
    },
  });
  await call('accounts.add', { name: 'corp', username: USER, password: PASSWORD });
});

afterAll(async () => {
  engine?.close();
  await tds?.close();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a vCenter a source lists', () => {
  let sourceId: number;

  it('gets no password until its certificate is reviewed; the review pins it and the sync runs', async () => {
    sourceId = (
      await call('sources.add', {
        name: 'cmdb',
        kind: 'mssql',
        connection: { server: '127.0.0.1', port: tds.port, database: 'CMDB', user: 'reader', encrypt: false },
        password: 'Cmdb#Pw-1',
        timeoutSeconds: 5,
      })
    ).id;
    expect((await call('sources.refresh', { id: sourceId })).added).toEqual(['vc-sim']);
    expect(vc()).toMatchObject({
      awaitingCertReview: true,
      thumbprint: null,
      credential: { kind: 'service' },
    });

    const [r] = (await engine.sync.sync()).results;
    expect(r).toMatchObject({ status: 'failed', error: { code: 'TLS_UNTRUSTED' } });
    expect(r!.error!.message).toMatch(
      /vc-sim: added or moved by the source cmdb, and its certificate has not been reviewed: vMiner sends it no password until then\. .*vminer vcenter trust --accept.*vminer source edit cmdb --trust-ca-valid/,
    );
    // The collector was never asked to log in anywhere.
    expect(logins).toEqual([]);
    expect(vc().sync).toMatchObject({ status: 'failed', error: { code: 'TLS_UNTRUSTED' } });

    // The review shows it — as "new", even were its certificate CA-valid — with what it presents.
    const review = await call('certs.review', {});
    expect(review).toEqual([
      expect.objectContaining({ name: 'vc-sim', state: 'new', thumbprint: sim.thumbprintSha256 }),
    ]);
    await call('certs.trust', { items: [{ vcenterId: vc().id, thumbprint: review[0]!.thumbprint }] });
    expect(vc()).toMatchObject({ awaitingCertReview: false, thumbprint: sim.thumbprintSha256 });
    expect(vc().sync.status).toBe('idle');

    const [ok] = (await engine.sync.sync()).results;
    expect(ok).toMatchObject({ status: 'ok', counts: { vms: 4 } });
    expect(logins).toEqual([{ host: new URL(sim.url).host, password: PASSWORD }]);
  });

  it('loses its pin and its password again when the source moves it to another address', async () => {
    const port = Number(new URL(sim.url).port);
    table = [['vc-sim', 'localhost', port]];
    const r = await call('sources.refresh', { id: sourceId });
    expect(r).toMatchObject({ ok: true, updated: ['vc-sim'] });
    expect(vc()).toMatchObject({
      url: `https://localhost:${port}/sdk`,
      thumbprint: null,
      awaitingCertReview: true,
    });
    const [again] = (await engine.sync.sync()).results;
    expect(again?.error?.message).toMatch(/has not been reviewed: vMiner sends it no password/);
    expect(logins).toHaveLength(1);
    // It synced before, but the review lists it again.
    expect((await call('certs.review', {})).map((i) => [i.name, i.state])).toEqual([['vc-sim', 'new']]);
    // The doctor does not log in either.
    const doctor = await call('doctor.run', { timeoutMs: 3000, port: 1 });
    expect(doctor.checks.find((c) => c.subject === 'vCenter vc-sim' && c.step === 'login')).toBeUndefined();
    expect(logins).toHaveLength(1);
  });

  it('logs in without a review once the source is marked to trust CA-valid certificates', async () => {
    const s = await call('sources.update', { id: sourceId, trustCaValid: true });
    expect(s.config.trustCaValid).toBe(true);
    expect(vc().awaitingCertReview).toBe(false);
    const [r] = (await engine.sync.sync()).results;
    // The password is handed over; the simulator's self-signed certificate is still refused by TLS
    // (no CA vouches for it), before any login is sent.
    expect(logins).toHaveLength(2);
    expect(r?.error?.code).toBe('TLS_UNTRUSTED');
    expect(r?.error?.message).not.toMatch(/has not been reviewed/);
    // Turned off again, the hold is back.
    await call('sources.update', { id: sourceId, trustCaValid: false });
    expect(vc().awaitingCertReview).toBe(true);
  });

  it('is released when someone pins its certificate on the vCenter itself', async () => {
    await call('vcenters.update', { id: vc().id, thumbprint: sim.thumbprintSha256 });
    expect(vc().awaitingCertReview).toBe(false);
    const [r] = (await engine.sync.sync()).results;
    expect(r?.status).toBe('ok');
  });
});
