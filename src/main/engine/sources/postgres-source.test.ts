import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import { startPostgres, type RunningPostgres, connectAdmin } from '../../../testing/postgres.js';
import { createHandlers } from '../api.js';
import { Engine } from '../engine.js';

const ADMIN_PW = 'Pg#Admin-1';
const READER_PW = `Rd'r"Pw&1`;
let server: RunningPostgres;
let admin: pg.Client;
let dataDir: string;
let engine: Engine;

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

beforeAll(async () => {
  server = await startPostgres(ADMIN_PW);
  admin = await connectAdmin(server);
  await admin.query(`CREATE ROLE vminer_reader LOGIN PASSWORD '${READER_PW.replace(/'/g, "''")}'`);
  await admin.query(`CREATE TABLE cmdb_vcenters (
    vc_name text, fqdn text, port int, site text, tags text, active boolean)`);
  await admin.query('GRANT SELECT ON cmdb_vcenters TO vminer_reader');
  await admin.query(`INSERT INTO cmdb_vcenters VALUES
    ('vc-ams-01', 'vc-ams-01.corp', 443, 'AMS', 'prod;eu', true),
    ('vc-fra-01', 'vc-fra-01.corp', 8443, 'FRA', null, true),
    ('vc-old-01', 'vc-old-01.corp', 443, null, null, false)`);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-pgsrc-'));
  engine = await openTestEngine(dataDir);
});

afterAll(async () => {
  engine?.close();
  await admin?.end();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('PostgreSQL source (a real server from Debian packages)', () => {
  it('maps its own column names, honours an enabled column, retires what leaves, reports errors clearly', async () => {
    const src = await call('sources.add', {
      name: 'pg-cmdb',
      kind: 'postgres',
      connection: {
        server: server.host,
        port: server.port,
        database: 'postgres',
        user: 'vminer_reader',
        encrypt: false,
      },
      password: READER_PW,
      query: 'SELECT vc_name, fqdn, port, site, tags, active FROM cmdb_vcenters ORDER BY vc_name',
      mapping: { name: 'vc_name', host: 'fqdn', site: 'site', tags: 'tags', enabled: 'active' },
      refreshMinutes: 30,
    });
    const t = await call('sources.test', { id: src.id });
    expect(t.columns).toEqual(['vc_name', 'fqdn', 'port', 'site', 'tags', 'active']);
    expect(t.rows[0]).toEqual({
      vc_name: 'vc-ams-01',
      fqdn: 'vc-ams-01.corp',
      port: 443,
      site: 'AMS',
      tags: 'prod;eu',
      active: true,
    });

    const r1 = await call('sources.refresh', { id: src.id });
    expect(r1).toMatchObject({ ok: true, rows: 3, added: ['vc-ams-01', 'vc-fra-01'], retired: [] });
    const ams = engine.vcenters.findByName('vc-ams-01')!;
    expect([ams.tags, ams.site, ams.source?.name]).toEqual([['prod', 'eu'], 'AMS', 'pg-cmdb']);
    expect(engine.vcenters.findByName('vc-fra-01')!.url).toBe('https://vc-fra-01.corp:8443/sdk');

    await admin.query(`UPDATE cmdb_vcenters SET active = false WHERE vc_name = 'vc-fra-01'`);
    await admin.query(`UPDATE cmdb_vcenters SET active = true WHERE vc_name = 'vc-old-01'`);
    const r2 = await call('sources.refresh', { id: src.id });
    expect(r2).toMatchObject({ ok: true, added: ['vc-old-01'], retired: ['vc-fra-01'] });

    await call('sources.update', { id: src.id, query: 'SELECT vc_name, fqdn FROM cmdb_vcentres' });
    const bad = await call('sources.refresh', { id: src.id });
    expect(bad.error?.code).toBe('QUERY_FAILED');
    expect(bad.error?.message).toMatch(/relation "cmdb_vcentres" does not exist \(SQLSTATE 42P01\)/);

    await call('sources.update', {
      id: src.id,
      query: 'SELECT vc_name, fqdn, port, site, tags, active FROM cmdb_vcenters',
      password: 'wrong',
    });
    const denied = await call('sources.refresh', { id: src.id });
    expect(denied.error?.code).toBe('LOGIN_FAILED');
    expect(denied.error?.message).toMatch(
      /pg-cmdb: PostgreSQL 127\.0\.0\.1:\d+\/postgres refused the login for vminer_reader/,
    );
    expect(engine.vcenters.list().map((v) => `${v.name}:${v.sync.status}`)).toEqual([
      'vc-ams-01:idle',
      'vc-fra-01:retired',
      'vc-old-01:idle',
    ]);
  });

  it('runs the query in a read-only transaction, and refuses a query that is not a single SELECT (issue 19)', async () => {
    await admin.query('CREATE SEQUENCE vc_seq');
    await admin.query('GRANT USAGE, SELECT, UPDATE ON vc_seq TO vminer_reader');
    // Text cannot tell that nextval() writes; PostgreSQL's read-only transaction can.
    const src = await call('sources.add', {
      name: 'cmdb-ro',
      kind: 'postgres',
      connection: {
        server: server.host,
        port: server.port,
        database: 'postgres',
        user: 'vminer_reader',
        encrypt: false,
      },
      password: READER_PW,
      query: "SELECT nextval('vc_seq') AS name, 'vc.corp' AS host",
      enabled: false,
    });
    await expect(call('sources.test', { id: src.id })).rejects.toMatchObject({
      code: 'QUERY_FAILED',
      message: expect.stringMatching(/read-only transaction/),
    });
    const seq = await admin.query<{ last_value: string; is_called: boolean }>(
      'SELECT last_value, is_called FROM vc_seq',
    );
    expect(seq.rows[0]!.is_called).toBe(false);
    // A statement that changes data is refused before anything connects, with the reason.
    expect(() =>
      CONTRACT['sources.update'].args.parse({ id: src.id, query: 'DELETE FROM cmdb_vcenters' }),
    ).toThrow(/read-only SELECT/);
    const before = await admin.query('SELECT count(*)::int AS n FROM cmdb_vcenters');
    expect(before.rows[0]!.n).toBe(3);
  });
});
