/**
 * A source is read up to its row cap and no further: the rows stream in and the reader stops the
 * server past the cap instead of loading the whole answer and slicing it. Seen from the servers'
 * side: the TDS responder counts the rows it wrote before the driver's cancel; PostgreSQL counts
 * the rows it produced with a PL/pgSQL function the query calls per row, counted by PostgreSQL's
 * own function statistics (a sequence cannot advance inside the source's read-only transaction).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import { startPostgres, type RunningPostgres, connectAdmin } from '../../../testing/postgres.js';
import { startTdsResponder, type TdsResponder, type TdsValue } from '../../../testing/tds-responder.js';
import { createHandlers } from '../api.js';
import type { Engine } from '../engine.js';
import { openTestEngine } from '../../../testing/engine.js';

const TOTAL = 1_000_000;
const CAP = 100;

let dataDir: string;
let engine: Engine;
let tds: TdsResponder;
let server: RunningPostgres;

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

function* manyVcenters(count: number): Generator<TdsValue[]> {
  for (let i = 1; i <= count; i++) yield [`vc-${i}`, `vc-${i}.corp`, 443];
}

beforeAll(async () => {
  tds = await startTdsResponder({
    logins: { reader: 'Cap#Pw-1' },
    answer: (sql) => ({
      columns: [
        { name: 'name', type: 'nvarchar' },
        { name: 'host', type: 'nvarchar' },
        { name: 'port', type: 'int' },
      ],
      rows: manyVcenters(/small/.test(sql) ? 3 : TOTAL),
    }),
  });
  server = await startPostgres('Pg#Cap-1');
  const admin = await connectAdmin(server);
  await admin.query(
    "CREATE FUNCTION produced(g int) RETURNS int LANGUAGE plpgsql VOLATILE AS 'BEGIN RETURN g; END'",
  );
  await admin.query("ALTER DATABASE postgres SET track_functions = 'pl'");
  await admin.end();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-srccap-'));
  engine = await openTestEngine(dataDir);
});

afterAll(async () => {
  engine?.close();
  await tds?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the row cap of a source', () => {
  it('SQL Server: stops the server past the cap; the refresh fails and keeps the last good list', async () => {
    const src = await call('sources.add', {
      name: 'big-mssql',
      kind: 'mssql',
      connection: { server: '127.0.0.1', port: tds.port, database: 'CMDB', user: 'reader', encrypt: false },
      password: 'Cap#Pw-1',
      query: 'SELECT name, host, port FROM dbo.small',
      maxRows: CAP,
      timeoutSeconds: 10,
    });
    expect(src.config.maxRows).toBe(CAP);
    expect((await call('sources.refresh', { id: src.id })).added).toHaveLength(3);

    await call('sources.update', { id: src.id, query: 'SELECT name, host, port FROM dbo.vcenters' });
    const before = tds.rowsSent;
    const r = await call('sources.refresh', { id: src.id });
    expect(r.error).toMatchObject({
      code: 'QUERY_FAILED',
      message: expect.stringMatching(
        /returned more than 100 rows \(the source's row cap; vMiner read no further\)/,
      ),
    });
    const sent = tds.rowsSent - before;
    // Rows already in flight when the cancel arrived (socket buffers, a few MB on loopback) were
    // sent; the rest never were.
    expect(sent).toBeGreaterThan(CAP);
    expect(sent).toBeLessThan(TOTAL / 4);
    expect(engine.vcenters.list().map((v) => v.name)).toEqual(['vc-1', 'vc-2', 'vc-3']);

    const t = await call('sources.test', { id: src.id });
    expect([t.totalRows, t.overCap, t.rows.length]).toEqual([CAP, true, 10]);
    // A short answer is read whole.
    await call('sources.update', { id: src.id, query: 'SELECT name, host, port FROM dbo.small' });
    expect((await call('sources.test', { id: src.id })).overCap).toBe(false);
  });

  it('PostgreSQL: the server produces no more than the cap and one row', async () => {
    const src = await call('sources.add', {
      name: 'big-pg',
      kind: 'postgres',
      connection: {
        server: server.host,
        port: server.port,
        database: 'postgres',
        user: server.user,
        encrypt: false,
      },
      password: server.password,
      query: `SELECT produced(g) AS n, 'vc-' || g AS name, 'vc-' || g || '.corp' AS host FROM generate_series(1, ${TOTAL}) g`,
      mapping: { port: null },
      maxRows: CAP,
    });
    const r = await call('sources.refresh', { id: src.id });
    expect(r.error?.message).toMatch(/more than 100 rows/);
    const admin = await connectAdmin(server);
    try {
      // The reader's statistics reach the shared counters when its connection ends.
      await vi.waitFor(
        async () => {
          const calls = await admin.query(
            "SELECT calls FROM pg_stat_user_functions WHERE funcname = 'produced'",
          );
          expect(Number(calls.rows[0]?.calls)).toBe(CAP + 1);
        },
        { timeout: 10_000, interval: 250 },
      );
    } finally {
      await admin.end();
    }
    // Under the cap, everything is read.
    await call('sources.update', {
      id: src.id,
      maxRows: 1000,
      query: `SELECT 'vc-' || g AS name, 'vc-' || g || '.corp' AS host FROM generate_series(1, 1000) g`,
    });
    const all = await call('sources.test', { id: src.id });
    expect([all.totalRows, all.overCap]).toEqual([1000, false]);
  });
});
