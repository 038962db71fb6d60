/**
 * A SQL source checks its database server's certificate without anyone turning on "trust server
 * certificate": against a private CA, or by a pinned thumbprint. A server that fails the check —
 * or that will not encrypt when encryption was asked for — never sees the password. The real
 * `mssql` driver against a TDS responder that speaks TLS, and the real `pg` driver against a real
 * PostgreSQL with ssl=on.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import { startPostgres, type RunningPostgres } from '../../../testing/postgres.js';
import { startTdsResponder, type TdsResponder } from '../../../testing/tds-responder.js';
import { caSignedCert, selfSignedCert, type TestCert } from '../../../testing/test-certs.js';
import { createHandlers } from '../api.js';
import type { Engine } from '../engine.js';
import { openTestEngine } from '../../../testing/engine.js';

const DB_PASSWORD = 'Tls#Reader-1';
const ROWS = {
  columns: [
    { name: 'name', type: 'nvarchar' as const },
    { name: 'host', type: 'nvarchar' as const },
    { name: 'port', type: 'int' as const },
  ],
  rows: [['vc-01', 'vc-01.corp', 443]],
};

let dataDir: string;
let engine: Engine;
let selfSigned: TestCert;
let ca: { ca: TestCert; server: TestCert };
const responders: TdsResponder[] = [];

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

async function responder(cert?: TestCert): Promise<TdsResponder> {
  const r = await startTdsResponder({
    logins: { reader: DB_PASSWORD },
    answer: () => ROWS,
    ...(cert ? { tls: { key: cert.key, cert: cert.cert } } : {}),
  });
  responders.push(r);
  return r;
}

let n = 0;
const addMssql = (port: number, connection: Record<string, unknown>) =>
  call('sources.add', {
    name: `mssql-${++n}`,
    kind: 'mssql',
    connection: { server: '127.0.0.1', port, database: 'CMDB', user: 'reader', ...connection },
    password: DB_PASSWORD,
    query: 'SELECT name, host, port FROM dbo.vcenters',
    timeoutSeconds: 5,
  });

beforeAll(async () => {
  selfSigned = selfSignedCert();
  ca = caSignedCert();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-srctls-'));
  engine = await openTestEngine(dataDir);
});

afterAll(async () => {
  engine?.close();
  await Promise.all(responders.map((r) => r.close()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('SQL Server source over TLS (real mssql driver, TDS responder with TLS)', () => {
  it('refuses a server that will not encrypt when encryption is on, before the login', async () => {
    const plain = await responder();
    const src = await addMssql(plain.port, { encrypt: true });
    const r = await call('sources.refresh', { id: src.id });
    expect(r.error).toMatchObject({
      code: 'TLS_UNTRUSTED',
      message: expect.stringMatching(/did not agree to encrypt the connection; the password was not sent/),
    });
    // tedious alone would have fallen back to a clear-text login.
    expect(plain.logins).toEqual([]);
  });

  it('does not trust a self-signed server by default, and says what to do', async () => {
    const server = await responder(selfSigned);
    const src = await addMssql(server.port, { encrypt: true });
    const r = await call('sources.refresh', { id: src.id });
    expect(r.error).toMatchObject({
      code: 'TLS_UNTRUSTED',
      message: expect.stringMatching(
        /does not trust .*give the source its CA file, or pin the server's thumbprint/,
      ),
    });
    expect(server.logins).toEqual([]);
  });

  it('reads a server whose certificate matches the pinned thumbprint, and refuses one that does not', async () => {
    const server = await responder(selfSigned);
    const pinned = await addMssql(server.port, {
      encrypt: true,
      // openssl's lowercase form is accepted and stored canonical.
      thumbprint: selfSigned.sha256.toLowerCase(),
    });
    expect(pinned.config.connection.thumbprint).toBe(selfSigned.sha256);
    expect(pinned.warnings).toEqual([]);
    const t = await call('sources.test', { id: pinned.id });
    expect(t.rows).toEqual([{ name: 'vc-01', host: 'vc-01.corp', port: 443 }]);
    expect(server.handshakes).toBeGreaterThan(0);
    expect(server.logins.map((l) => [l.user, l.password, l.ok])).toContainEqual([
      'reader',
      DB_PASSWORD,
      true,
    ]);

    const other = await responder(ca.server);
    const wrong = await addMssql(other.port, { encrypt: true, thumbprint: selfSigned.sha256 });
    const r = await call('sources.refresh', { id: wrong.id });
    expect(r.error).toMatchObject({
      code: 'TLS_UNTRUSTED',
      message: expect.stringContaining(
        `presented the certificate ${ca.server.sha256}, not the pinned ${selfSigned.sha256}`,
      ),
    });
    expect(other.handshakes).toBeGreaterThan(0);
    expect(other.logins).toEqual([]);
  });

  it('reads a server whose certificate a private CA signed, given that CA', async () => {
    const server = await responder(ca.server);
    const src = await addMssql(server.port, { encrypt: true, caPem: ca.ca.cert });
    const t = await call('sources.test', { id: src.id });
    expect(t.totalRows).toBe(1);
    expect(server.logins.at(-1)).toMatchObject({ user: 'reader', ok: true });
    // Another CA's server is refused, before the login.
    const stranger = await responder(selfSigned);
    const other = await addMssql(stranger.port, { encrypt: true, caPem: ca.ca.cert });
    expect((await call('sources.refresh', { id: other.id })).error?.code).toBe('TLS_UNTRUSTED');
    expect(stranger.logins).toEqual([]);
  });

  it('refuses settings that contradict each other, and warns about weak ones', async () => {
    await expect(addMssql(1, { thumbprint: 'not a thumbprint' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(addMssql(1, { caPem: 'not a certificate' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/CA file is not a PEM certificate/),
    });
    await expect(
      addMssql(1, { thumbprint: selfSigned.sha256, trustServerCertificate: true }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/turn "trust server certificate" off/) });
    await expect(addMssql(1, { thumbprint: selfSigned.sha256, encrypt: false })).rejects.toMatchObject({
      message: expect.stringMatching(/needs an encrypted connection/),
    });
    const lax = await addMssql(1, { encrypt: true, trustServerCertificate: true });
    expect(lax.warnings).toEqual([
      expect.stringMatching(/certificate is not checked.*CA file or pin its thumbprint/),
    ]);
    // An update changes only what it names: the pin stays when the query changes.
    const pinned = await addMssql(1, { encrypt: true, thumbprint: selfSigned.sha256 });
    const after = await call('sources.update', { id: pinned.id, query: 'SELECT 1', connection: { port: 2 } });
    expect(after.config.connection).toMatchObject({ thumbprint: selfSigned.sha256, encrypt: true, port: 2 });
  });
});

describe('PostgreSQL source over TLS (a real server with ssl=on)', () => {
  let selfServer: RunningPostgres;
  let caServer: RunningPostgres;
  const add = (server: RunningPostgres, connection: Record<string, unknown>) =>
    call('sources.add', {
      name: `pg-${++n}`,
      kind: 'postgres',
      connection: {
        server: server.host,
        port: server.port,
        database: 'postgres',
        user: server.user,
        ...connection,
      },
      password: server.password,
      query: "SELECT 'vc-pg' AS name, 'vc-pg.corp' AS host, 443 AS port",
      timeoutSeconds: 10,
    });

  beforeAll(async () => {
    selfServer = await startPostgres('Pg#Tls-1', { tls: { key: selfSigned.key, cert: selfSigned.cert } });
    caServer = await startPostgres('Pg#Tls-2', { tls: { key: ca.server.key, cert: ca.server.cert } });
  });

  afterAll(async () => {
    await selfServer?.stop();
    await caServer?.stop();
  });

  it('checks the certificate: refused unchecked, read when pinned or signed by the given CA', async () => {
    const untrusted = await call('sources.refresh', { id: (await add(selfServer, { encrypt: true })).id });
    expect(untrusted.error).toMatchObject({
      code: 'TLS_UNTRUSTED',
      message: expect.stringMatching(/does not trust .*pin the server's thumbprint/),
    });

    const pinned = await add(selfServer, { encrypt: true, thumbprint: selfSigned.sha256 });
    expect((await call('sources.test', { id: pinned.id })).rows).toEqual([
      { name: 'vc-pg', host: 'vc-pg.corp', port: 443 },
    ]);
    const wrongPin = await add(caServer, { encrypt: true, thumbprint: selfSigned.sha256 });
    expect((await call('sources.refresh', { id: wrongPin.id })).error).toMatchObject({
      code: 'TLS_UNTRUSTED',
      message: expect.stringContaining(`not the pinned ${selfSigned.sha256}; the password was not sent`),
    });

    const withCa = await add(caServer, { encrypt: true, caPem: ca.ca.cert });
    expect((await call('sources.test', { id: withCa.id })).totalRows).toBe(1);
    const wrongCa = await add(selfServer, { encrypt: true, caPem: ca.ca.cert });
    expect((await call('sources.refresh', { id: wrongCa.id })).error?.code).toBe('TLS_UNTRUSTED');
  });

  it('warns when the connection is not encrypted', async () => {
    const plain = await add(caServer, { encrypt: false });
    expect(plain.warnings).toEqual([expect.stringMatching(/PostgreSQL is not encrypted/)]);
    expect((await call('sources.list', {})).find((s) => s.id === plain.id)?.warnings).toEqual(plain.warnings);
    expect((await call('sources.test', { id: plain.id })).totalRows).toBe(1);
  });
});
