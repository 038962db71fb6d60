import { openTestEngine } from '../../../testing/engine.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import { startTdsResponder, type TdsResponder, type TdsValue } from '../../../testing/tds-responder.js';
import { createHandlers } from '../api.js';
import { Engine } from '../engine.js';
import type { CollectOptions } from '../vsphere/collect.js';
import { VminerError } from '../../../shared/errors.js';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

// The CMDB table the responder serves; tests change it between refreshes.
let table: TdsValue[][];
let tds: TdsResponder;
let dataDir: string;
let engine: Engine;
let collected: string[];
const DB_PASSWORD = `Cmdb'Pw"&<1>`;

beforeAll(async () => {
  tds = await startTdsResponder({
    logins: { 'vminer-reader': DB_PASSWORD },
    answer: (sql) => {
      if (/FROM\s+dbo\.vcenters\b/i.test(sql))
        return {
          columns: [
            { name: 'name', type: 'nvarchar' },
            { name: 'host', type: 'nvarchar' },
            { name: 'port', type: 'int' },
            { name: 'site', type: 'nvarchar' },
          ],
          rows: table,
        };
      return {
        error: { number: 208, message: `Invalid object name '${/FROM\s+(\S+)/i.exec(sql)?.[1] ?? '?'}'.` },
      };
    },
  });
});

afterAll(async () => {
  await tds.close();
});

beforeEach(async () => {
  table = [
    ['vc-ams-01', 'vc-ams-01.corp', 443, 'AMS'],
    ['vc-fra-01', 'vc-fra-01.corp', 443, 'FRA'],
    ['vc-nyc-01', 'vc-nyc-01.corp', 8443, null],
  ];
  collected = [];
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-mssql-'));
  engine = await openTestEngine(dataDir, {
    collect: async (o: CollectOptions) => {
      collected.push(new URL(o.url).hostname);
      throw new VminerError('REFUSED', 'test');
    },
  });
});

afterEach(() => {
  engine.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

const addSource = (over: Record<string, unknown> = {}) =>
  call('sources.add', {
    name: 'cmdb',
    kind: 'mssql',
    connection: {
      server: '127.0.0.1',
      port: tds.port,
      database: 'CMDB',
      user: 'vminer-reader',
      encrypt: false,
    },
    password: DB_PASSWORD,
    query: 'SELECT name, host, port, site FROM dbo.vcenters WHERE enabled = 1',
    mapping: { site: 'site' },
    timeoutSeconds: 5,
    refreshMinutes: 15,
    ...over,
  });

const names = () =>
  engine.vcenters
    .list()
    .map((v) => `${v.name}:${v.sync.status}`)
    .sort();

describe('SQL Server source (real mssql driver against a TDS responder)', () => {
  it('"Test" shows the first rows raw and mapped, over RPC, with the stored password', async () => {
    const src = await addSource();
    expect(src.config.mapping).toMatchObject({ name: 'name', host: 'host', port: 'port', site: 'site' });
    table.push(['bad one', 'bad_host', 443, null]);
    const before = tds.statements.length;
    const t = await call('sources.test', { id: src.id });
    expect(t.columns).toEqual(['name', 'host', 'port', 'site']);
    expect(t.totalRows).toBe(4);
    expect(t.rows[0]).toEqual({ name: 'vc-ams-01', host: 'vc-ams-01.corp', port: 443, site: 'AMS' });
    expect(t.mapped.map((m) => [m.name, m.url, m.problem])).toEqual([
      ['vc-ams-01', 'https://vc-ams-01.corp/sdk', null],
      ['vc-fra-01', 'https://vc-fra-01.corp/sdk', null],
      ['vc-nyc-01', 'https://vc-nyc-01.corp:8443/sdk', null],
      ['bad one', null, 'bad host name "bad_host"'],
    ]);
    expect(tds.statements.slice(before)).toContain(
      'SELECT name, host, port, site FROM dbo.vcenters WHERE enabled = 1',
    );
    expect(tds.logins.at(-1)).toMatchObject({
      user: 'vminer-reader',
      password: DB_PASSWORD,
      database: 'CMDB',
      ok: true,
    });
    expect(engine.vcenters.list()).toEqual([]);
  });

  it('adds new vCenters, retires vanished ones (kept, not synced), restores returning ones', async () => {
    await call('accounts.add', { name: 'corp', username: 'svc@corp', password: 'Svc#Pw12' });
    // The CMDB vouches for CA-valid certificates here: its vCenters may log in without a review
    // (source-trust.test.ts covers the default, where they may not).
    const src = await addSource({ trustCaValid: true });
    const events: unknown[] = [];
    engine.bus.on('sources:refreshed', (e) => events.push(e));
    const r1 = await call('sources.refresh', { id: src.id });
    expect(events).toEqual([r1]);
    expect(r1).toMatchObject({ ok: true, rows: 3, retired: [], skipped: [] });
    expect(r1.added.sort()).toEqual(['vc-ams-01', 'vc-fra-01', 'vc-nyc-01']);
    const ams = engine.vcenters.findByName('vc-ams-01')!;
    expect([ams.source?.name, ams.site, ams.credential, ams.username]).toEqual([
      'cmdb',
      'AMS',
      { kind: 'service', accountId: null, account: 'corp' },
      'svc@corp',
    ]);

    // The table changes: fra disappears, nyc moves port, lon is new.
    table = [
      ['vc-ams-01', 'vc-ams-01.corp', 443, 'AMS'],
      ['vc-nyc-01', 'vc-nyc-01.corp', 443, null],
      ['vc-lon-01', 'vc-lon-01.corp', 443, 'LON'],
    ];
    const r2 = await call('sources.refresh', { id: src.id });
    expect(r2).toMatchObject({
      ok: true,
      added: ['vc-lon-01'],
      updated: ['vc-nyc-01'],
      retired: ['vc-fra-01'],
    });
    expect(names()).toEqual(['vc-ams-01:idle', 'vc-fra-01:retired', 'vc-lon-01:idle', 'vc-nyc-01:idle']);
    expect(engine.vcenters.findByName('vc-nyc-01')!.url).toBe('https://vc-nyc-01.corp/sdk');
    const info = (await call('sources.list', {}))[0]!;
    expect([info.vcenters, info.retired, info.lastRowCount, info.lastError]).toEqual([3, 1, 3, null]);

    // A retired vCenter is not synced (its cached data stays until it is removed).
    await engine.sync.sync();
    expect(collected.sort()).toEqual(['vc-ams-01.corp', 'vc-lon-01.corp', 'vc-nyc-01.corp']);

    table.push(['vc-fra-01', 'vc-fra-01.corp', 443, 'FRA']);
    const r3 = await call('sources.refresh', { id: src.id });
    expect(r3).toMatchObject({ ok: true, added: [], restored: ['vc-fra-01'], retired: [] });
    // The others show their (stubbed) failed sync; the restored one is back to its old state.
    expect(names()).toEqual(['vc-ams-01:failed', 'vc-fra-01:idle', 'vc-lon-01:failed', 'vc-nyc-01:failed']);
  });

  it('keeps the last good list on a failed login, a refused connection, a bad query, wrong columns and an empty answer', async () => {
    const src = await addSource();
    await call('sources.refresh', { id: src.id });
    const good = names();
    const goodAt = engine.sources.get(src.id)!.lastSuccessAt;
    table = [['vc-only', 'vc-only.corp', 443, null]];

    const expectKept = async (code: string, message: RegExp): Promise<void> => {
      const r = await call('sources.refresh', { id: src.id });
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe(code);
      expect(r.error?.message).toMatch(message);
      expect(names()).toEqual(good);
      const s = engine.sources.get(src.id)!;
      expect(s.lastError).toEqual(r.error);
      expect(s.lastSuccessAt).toBe(goodAt);
    };

    await call('sources.update', { id: src.id, password: 'wrong-password' });
    await expectKept(
      'LOGIN_FAILED',
      /cmdb: SQL Server 127\.0\.0\.1:\d+\/CMDB refused the login for vminer-reader \(Login failed for user 'vminer-reader'\.\)/,
    );
    expect(tds.logins.at(-1)).toMatchObject({ password: 'wrong-password', ok: false });
    await call('sources.update', { id: src.id, password: DB_PASSWORD });

    const closed = await startTdsResponder({ logins: {}, answer: () => ({ columns: [], rows: [] }) });
    const closedPort = closed.port;
    await closed.close();
    await call('sources.update', { id: src.id, connection: { port: closedPort } });
    await expectKept('REFUSED', /refused the connection/);
    await call('sources.update', { id: src.id, connection: { port: tds.port } });

    await call('sources.update', { id: src.id, query: 'SELECT name, host FROM dbo.vcentres' });
    await expectKept(
      'QUERY_FAILED',
      /the query failed: Invalid object name 'dbo\.vcentres'\. \(SQL Server error 208\)/,
    );

    await call('sources.update', {
      id: src.id,
      query: 'SELECT name, host, port, site FROM dbo.vcenters',
      mapping: { host: 'fqdn' },
    });
    await expectKept('QUERY_FAILED', /no column "fqdn" for host \(its columns: name, host, port, site\)/);
    await call('sources.update', { id: src.id, mapping: { host: 'host' } });

    table = [];
    await expectKept('QUERY_FAILED', /returned no rows; the last good list \(3 vCenters\) is kept/);

    // And once the table is readable again, the refresh goes through.
    table = [['vc-only', 'vc-only.corp', 443, null]];
    const ok = await call('sources.refresh', { id: src.id });
    expect(ok).toMatchObject({ ok: true, added: ['vc-only'] });
    expect(ok.retired.sort()).toEqual(['vc-ams-01', 'vc-fra-01', 'vc-nyc-01']);
    expect(engine.sources.get(src.id)!.lastError).toBeNull();
  });

  it('skips rows it cannot use and names the local vCenter it will not take over', async () => {
    await call('vcenters.add', { name: 'vc-ams-01', url: 'vc-ams-01.corp', username: 'u', password: 'p#1' });
    table.push(['vc-fra-01', 'vc-fra-02.corp', 443, null], ['vc-bad', 'not a host', 443, null]);
    const src = await addSource();
    const r = await call('sources.refresh', { id: src.id });
    expect(r.ok).toBe(true);
    expect(r.added).toEqual(['vc-fra-01', 'vc-nyc-01']);
    expect(r.skipped).toEqual([
      { name: 'vc-ams-01', reason: 'already registered in the local list' },
      { name: 'vc-fra-01', reason: 'listed twice' },
      { name: 'vc-bad', reason: 'bad host name "not a host"' },
    ]);
    expect(engine.vcenters.findByName('vc-ams-01')!.source).toBeNull();
  });

  it('removing a source leaves its vCenters in the local list, or removes them with their data on request', async () => {
    const a = await addSource({ name: 'keep' });
    await call('sources.refresh', { id: a.id });
    expect(engine.vault.get(`source:${a.id}`)).toBe(DB_PASSWORD);
    const kept = await call('sources.remove', { id: a.id });
    expect(kept).toEqual({ removed: true, removedVcenters: [] });
    expect(engine.vault.get(`source:${a.id}`)).toBeUndefined();
    expect(engine.vcenters.list().map((v) => [v.name, v.source])).toEqual([
      ['vc-ams-01', null],
      ['vc-fra-01', null],
      ['vc-nyc-01', null],
    ]);
    for (const v of engine.vcenters.list()) await engine.removeVcenter(v.id);

    const b = await addSource({ name: 'drop' });
    await call('sources.refresh', { id: b.id });
    const gone = await call('sources.remove', { id: b.id, removeVcenters: true });
    expect(gone.removedVcenters.sort()).toEqual(['vc-ams-01', 'vc-fra-01', 'vc-nyc-01']);
    expect(engine.vcenters.list()).toEqual([]);
    expect(await call('sources.list', {})).toEqual([]);
  });

  it('refreshes each source on its own interval, independent of the sync schedule', async () => {
    const fast = await addSource({ name: 'fast', refreshMinutes: 5 });
    await addSource({
      name: 'slow',
      refreshMinutes: 60,
      query: 'SELECT name, host, port, site FROM dbo.vcenters WHERE site IS NULL',
    });
    expect(engine.settings.get().scheduler.enabled).toBe(false);
    const t0 = new Date('2030-01-01T00:00:00Z');
    const at = (min: number) => new Date(t0.getTime() + min * 60_000);
    const ticked = async (min: number) =>
      (await engine.sourceRefresher.tick(at(min))).map((r) => engine.sources.get(r.sourceId)!.name);

    // Never refreshed: both are due at once. (Refresh times come from the real clock here.)
    expect(await ticked(0)).toEqual(['fast', 'slow']);
    const last = (name: string) => Date.parse(engine.sources.resolve(name).lastRefreshAt!);
    const fastAt = last('fast');
    const slowAt = last('slow');
    const minutesAfter = (base: number, min: number) => new Date(base + min * 60_000);
    expect(await engine.sourceRefresher.tick(minutesAfter(fastAt, 4))).toEqual([]);
    const r = await engine.sourceRefresher.tick(minutesAfter(Math.max(fastAt, slowAt), 5));
    expect(r.map((x) => x.sourceId)).toEqual([fast.id]);
    expect(engine.sources.resolve('fast').nextRefreshAt).toBe(
      new Date(Date.parse(engine.sources.resolve('fast').lastRefreshAt!) + 5 * 60_000).toISOString(),
    );
    expect((await engine.sourceRefresher.tick(minutesAfter(slowAt, 60))).map((x) => x.sourceId)).toContain(
      engine.sources.resolve('slow').id,
    );
    // A disabled source is never due.
    await call('sources.update', { id: fast.id, enabled: false });
    expect(engine.sourceRefresher.isDue(engine.sources.resolve('fast'), at(100_000))).toBe(false);
  });

  it('`vminer source add --password-stdin` then `vminer source refresh` (exit 2 when it fails)', async () => {
    engine.close();
    // Asynchronous: the TDS responder lives in this process and must keep answering.
    const run = (args: string[], input = '') =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', path.join(ROOT, 'src/main/cli.ts'), ...args, '--data-dir', dataDir],
          { cwd: ROOT },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(input);
      });
    const add = await run(
      [
        'source',
        'add',
        'cmdb',
        '--kind',
        'mssql',
        '--server',
        '127.0.0.1',
        '--port',
        String(tds.port),
        '--database',
        'CMDB',
        '--user',
        'vminer-reader',
        '--no-encrypt',
        '--password-stdin',
        '--query',
        'SELECT name, host, port, site FROM dbo.vcenters',
        '--map',
        'site=site',
        '--refresh-minutes',
        '10',
      ],
      `${DB_PASSWORD}\n`,
    );
    expect(add.stderr).not.toMatch(/error/);
    expect(add.stdout).toMatch(/Added source cmdb \(mssql, refreshed every 10 min\)/);
    const ref = await run(['source', 'refresh', 'cmdb']);
    expect(ref.status).toBe(0);
    expect(ref.stdout).toMatch(/cmdb: 3 rows; 3 added, 0 updated, 0 retired/);
    await run(['source', 'set-password', 'cmdb', '--password-stdin'], 'nope\n');
    const bad = await run(['source', 'refresh', 'cmdb']);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toMatch(/refresh failed, the last good list is kept — cmdb: .*refused the login/);
  });
});
