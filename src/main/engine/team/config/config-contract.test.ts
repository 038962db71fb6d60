// The configuration repos' contract, run the same on both back ends: the desktop's SQLite repos
// and the team server's PostgreSQL repos over their in-memory mirror (a real PostgreSQL). Every
// case awaits each write, so the same code drives a synchronous and an asynchronous back end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postgresBackend,
  sourceInput as source,
  sqliteBackend,
  vcenterInput as vc,
  type ConfigBackend,
  type ConfigInstance,
} from '../../../../testing/config-backends.js';
import { findPostgresBin } from '../../../../testing/postgres.js';
import { resolveCredentials } from '../../sources/service-accounts.js';

const HAS_PG = findPostgresBin() !== null;
const BACKENDS: { kind: string; make: () => ConfigBackend | Promise<ConfigBackend>; skip: boolean }[] = [
  { kind: 'sqlite', make: sqliteBackend, skip: false },
  {
    kind: HAS_PG ? 'postgres' : 'postgres (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)',
    make: postgresBackend,
    skip: !HAS_PG,
  },
];
const PW = 'a long enough password';

for (const b of BACKENDS) {
  describe.skipIf(b.skip)(`configuration repos on ${b.kind}`, { timeout: 60_000 }, () => {
    let backend: ConfigBackend;
    let x: ConfigInstance;

    beforeAll(async () => {
      backend = await b.make();
    }, 120_000);
    afterAll(async () => {
      await backend?.stop();
    });
    const fresh = async (): Promise<ConfigInstance> => (x = await backend.fresh());

    describe('vCenters', () => {
      it('adds, reads by name, id and any case, updates, and removes', async () => {
        await fresh();
        const a = await x.vcenters.add(
          vc('VC-A', { caPem: '-----BEGIN CERTIFICATE-----', site: 'lab', tags: ['x'] }),
        );
        const b2 = await x.vcenters.add(vc('vc-b'));
        expect(a).toMatchObject({
          name: 'VC-A',
          url: 'https://vc-a.corp/sdk',
          hasCustomCa: true,
          site: 'lab',
          tags: ['x'],
        });
        expect(x.vcenters.get(a.id)?.name).toBe('VC-A');
        expect(x.vcenters.findByName('VC-A')?.id).toBe(a.id);
        expect(x.vcenters.findByName('vc-a')).toBeUndefined();
        expect(x.vcenters.findByNameInsensitive('vc-a')?.id).toBe(a.id);
        expect(x.vcenters.resolve(String(b2.id)).name).toBe('vc-b');
        expect(x.vcenters.caPem(a.id)).toBe('-----BEGIN CERTIFICATE-----');
        // SQLite's order: byte order, capitals first.
        expect(x.vcenters.list().map((v) => [v.name, v.sync.status])).toEqual([
          ['VC-A', 'idle'],
          ['vc-b', 'idle'],
        ]);
        const changed = await x.vcenters.update(a.id, { name: 'vc-a', enabled: false, tags: [] });
        expect(changed).toMatchObject({ name: 'vc-a', enabled: false, tags: [] });
        expect(x.vcenters.list().find((v) => v.id === a.id)?.sync.status).toBe('idle');
        expect(await x.vcenters.remove(a.id)).toBe(true);
        expect(await x.vcenters.remove(a.id)).toBe(false);
        expect(x.vcenters.get(a.id)).toBeUndefined();
        expect(x.vcenters.list().map((v) => v.name)).toEqual(['vc-b']);
      });

      it('refuses a second vCenter with the same name in any case or the same address, and bad input', async () => {
        await fresh();
        const a = await x.vcenters.add(vc('vc01'));
        await expect(async () =>
          x.vcenters.add(vc('VC01', { url: 'https://other.corp/sdk' })),
        ).rejects.toThrow('a vCenter named "vc01" is already registered');
        await expect(async () =>
          x.vcenters.add(vc('vc02', { url: 'https://vc01.corp/sdk' })),
        ).rejects.toThrow('https://vc01.corp/sdk is already registered as "vc01"');
        const b2 = await x.vcenters.add(vc('vc02'));
        await expect(async () => x.vcenters.update(b2.id, { name: 'Vc01' })).rejects.toThrow(
          /already registered/,
        );
        await expect(async () => x.vcenters.update(b2.id, { url: a.url })).rejects.toThrow(
          /already registered as "vc01"/,
        );
        await expect(async () => x.vcenters.add(vc('bad name!'))).rejects.toMatchObject({
          code: 'INVALID_INPUT',
        });
        await expect(async () => x.vcenters.add(vc('vc03', { url: 'ftp://x' }))).rejects.toMatchObject({
          code: 'INVALID_INPUT',
        });
        await expect(async () => x.vcenters.update(9999, { site: 'x' })).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        expect(() => x.vcenters.resolve('nope')).toThrow(/no vCenter named "nope"/);
        expect(x.vcenters.list().map((v) => v.name)).toEqual(['vc01', 'vc02']);
      });

      it('writes a batch whole or not at all, with the same checks', async () => {
        await fresh();
        const a = await x.vcenters.add(vc('vc01'));
        const r = await x.vcenters.bulkWrite(
          [vc('vc02'), vc('vc03')],
          [{ id: a.id, patch: { site: 'dc1' } }],
        );
        expect(r.addedIds).toHaveLength(2);
        expect(r.updatedIds).toEqual([a.id]);
        expect(x.vcenters.get(a.id)?.site).toBe('dc1');
        await expect(async () =>
          x.vcenters.bulkWrite([vc('vc04'), vc('VC04', { url: 'https://y.corp/sdk' })], []),
        ).rejects.toThrow(/already registered/);
        await expect(async () =>
          x.vcenters.bulkWrite([vc('vc05')], [{ id: 9999, patch: {} }]),
        ).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        expect(x.vcenters.list().map((v) => v.name)).toEqual(['vc01', 'vc02', 'vc03']);
        expect(x.vcenters.list().every((v) => v.sync.status === 'idle')).toBe(true);
      });

      it('keeps the sync state: set, live states settled, interrupted syncs settled', async () => {
        await fresh();
        const ids = [];
        for (const n of ['vc1', 'vc2', 'vc3', 'vc4', 'vc5']) ids.push((await x.vcenters.add(vc(n))).id);
        const [a, b2, c, d, e] = ids as [number, number, number, number, number];
        const t = x.term;
        await x.vcenters.setState(
          a,
          {
            status: 'syncing',
            startedAt: '2026-12-06T01:00:00.000Z',
            lastSuccessAt: '2026-12-05T00:00:00.000Z',
          },
          t,
        );
        await x.vcenters.setState(b2, { status: 'queued' }, t);
        await x.vcenters.setState(c, { status: 'live', lastSuccessAt: '2026-12-05T00:00:00.000Z' }, t);
        await x.vcenters.setState(
          d,
          { status: 'reconnecting', errorCode: 'REFUSED', errorMessage: 'refused' },
          t,
        );
        await x.vcenters.setState(
          e,
          {
            status: 'ok',
            durationMs: 2 ** 40,
            counts: JSON.stringify({ vms: 3 }),
            warnings: JSON.stringify(['w']),
          },
          t,
        );
        await x.vcenters.setAbout(
          e,
          {
            productName: 'VMware vCenter Server',
            version: '8.0.2',
            build: '1',
            apiVersion: '8.0',
            instanceUuid: 'u-1',
          },
          t,
        );
        const sync = (id: number) => x.vcenters.list().find((v) => v.id === id)!.sync;
        expect(sync(e)).toMatchObject({
          status: 'ok',
          durationMs: 2 ** 40,
          counts: { vms: 3 },
          warnings: ['w'],
        });
        expect(x.vcenters.get(e)).toMatchObject({ productName: 'VMware vCenter Server', version: '8.0.2' });
        await x.vcenters.settleLiveStates(undefined, t);
        expect(sync(c).status).toBe('ok');
        expect(sync(d)).toMatchObject({ status: 'failed', error: { code: 'REFUSED', message: 'refused' } });
        const names = await x.vcenters.settleInterrupted(new Date('2026-12-06T02:00:00.000Z'), t);
        expect(names.sort()).toEqual(['vc1', 'vc2']);
        expect(sync(a)).toMatchObject({ status: 'interrupted', finishedAt: '2026-12-06T02:00:00.000Z' });
        expect(sync(a).detail).toMatch(
          /started at 2026-12-06T01:00:00.000Z never finished.*as of 2026-12-05/,
        );
        expect(sync(b2).detail).toMatch(/a queued sync never finished.*Nothing was stored/);
        expect(sync(e).status).toBe('ok');
      });

      it('shows the account a vCenter logs in with and the source that manages it', async () => {
        await fresh();
        const corp = await x.accounts.add({ name: 'corp', username: 'svc@corp', isDefault: false });
        const lab = await x.accounts.add({ name: 'lab', username: 'svc@lab', isDefault: false });
        const cmdb = await x.sources.add(source('cmdb', true));
        const own = await x.vcenters.add(vc('own'));
        const dflt = await x.vcenters.add(
          vc('dflt', { username: '', useServiceAccount: true, serviceAccountId: null }),
        );
        const named = await x.vcenters.add(
          vc('named', { username: '', useServiceAccount: true, serviceAccountId: lab.id }),
        );
        const managed = await x.vcenters.add(vc('managed', { sourceId: cmdb.id, certReviewPending: true }));
        expect(x.vcenters.get(own.id)?.credential).toEqual({ kind: 'own' });
        expect(x.vcenters.get(dflt.id)).toMatchObject({
          username: 'svc@corp',
          credential: { kind: 'service', accountId: null, account: 'corp' },
        });
        expect(x.vcenters.get(named.id)).toMatchObject({
          username: 'svc@lab',
          credential: { account: 'lab' },
        });
        // The source vouches for CA-valid certificates: no review is awaited.
        expect(x.vcenters.get(managed.id)).toMatchObject({
          source: { id: cmdb.id, name: 'cmdb' },
          awaitingCertReview: false,
        });
        await x.sources.update(cmdb.id, { config: source('cmdb', false).config });
        expect(x.vcenters.get(managed.id)?.awaitingCertReview).toBe(true);
        const secrets = new Map([
          [`account:${corp.id}`, 'corp-pw'],
          [`account:${lab.id}`, 'lab-pw'],
          [`vcenter:${own.id}`, 'own-pw'],
        ]);
        const secret = (id: string) => secrets.get(id);
        expect(resolveCredentials(x.vcenters.get(dflt.id)!, x.accounts, secret)).toEqual({
          user: 'svc@corp',
          password: 'corp-pw',
        });
        expect(resolveCredentials(x.vcenters.get(named.id)!, x.accounts, secret)).toEqual({
          user: 'svc@lab',
          password: 'lab-pw',
        });
        expect(resolveCredentials(x.vcenters.get(own.id)!, x.accounts, secret).password).toBe('own-pw');
        expect(() => resolveCredentials(x.vcenters.get(managed.id)!, x.accounts, secret)).toThrow(
          /has not been reviewed/,
        );
        expect(x.accounts.get(corp.id)?.usedBy).toBe(1);
        expect(x.accounts.get(lab.id)?.usedBy).toBe(1);
        expect(x.sources.get(cmdb.id)).toMatchObject({ vcenters: 1, retired: 0 });
        await x.vcenters.update(managed.id, { retiredAt: '2026-12-06T00:00:00.000Z' });
        expect(x.sources.get(cmdb.id)).toMatchObject({ vcenters: 0, retired: 1 });
        expect(x.vcenters.list().find((v) => v.id === managed.id)?.sync.status).toBe('retired');
        // Removing the source leaves its vCenters in the local list.
        expect(await x.sources.remove(cmdb.id)).toBe(true);
        expect(x.vcenters.get(managed.id)?.source).toBeNull();
      });
    });

    describe('service accounts', () => {
      it('the first account is the default; one default at most; names unique in any case', async () => {
        await fresh();
        const a = await x.accounts.add({ name: 'Corp', username: 'svc@corp', isDefault: false });
        expect(a.isDefault).toBe(true);
        const b2 = await x.accounts.add({ name: 'lab', username: 'svc@lab', isDefault: false });
        expect(b2.isDefault).toBe(false);
        await expect(async () =>
          x.accounts.add({ name: 'CORP', username: 'u', isDefault: false }),
        ).rejects.toThrow('a service account named "Corp" already exists');
        await expect(async () => x.accounts.update(b2.id, { name: 'corp' })).rejects.toThrow(
          /already exists/,
        );
        await expect(async () => x.accounts.update(a.id, { isDefault: false })).rejects.toThrow(
          /make another account the default/,
        );
        await expect(async () => x.accounts.update(999, { username: 'x' })).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        await x.accounts.update(b2.id, { isDefault: true, username: 'svc2@lab' });
        expect(x.accounts.list().map((r) => [r.name, r.isDefault, r.username])).toEqual([
          ['Corp', false, 'svc@corp'],
          ['lab', true, 'svc2@lab'],
        ]);
        expect(x.accounts.getDefault()?.name).toBe('lab');
        expect(x.accounts.resolve('LAB').id).toBe(b2.id);
        expect(x.accounts.resolve(String(a.id)).name).toBe('Corp');
        expect(x.accounts.findByNameOrUser('SVC@CORP')?.id).toBe(a.id);
        expect(() => x.accounts.resolve('none')).toThrow(/no service account "none"/);
      });

      it('an account in use cannot be removed; an unused one can', async () => {
        await fresh();
        const a = await x.accounts.add({ name: 'corp', username: 'svc@corp', isDefault: true });
        const b2 = await x.accounts.add({ name: 'lab', username: 'svc@lab', isDefault: false });
        const v = await x.vcenters.add(
          vc('vc1', { username: '', useServiceAccount: true, serviceAccountId: null }),
        );
        await expect(async () => x.accounts.remove(a.id)).rejects.toThrow(
          'corp is used by 1 vCenter(s) (it is the default account): move them to another account first',
        );
        await x.vcenters.update(v.id, { serviceAccountId: b2.id });
        await expect(async () => x.accounts.remove(b2.id)).rejects.toThrow(/lab is used by 1 vCenter/);
        await x.accounts.remove(a.id);
        expect(x.accounts.list().map((r) => r.name)).toEqual(['lab']);
        await expect(async () => x.accounts.remove(a.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });
    });

    describe('sources', () => {
      it('adds, refuses a second name in any case, updates, records refreshes, removes', async () => {
        await fresh();
        const s = await x.sources.add(source('CMDB'));
        expect(s).toMatchObject({
          name: 'CMDB',
          kind: 'mssql',
          refreshMinutes: 30,
          nextRefreshAt: null,
          lastError: null,
        });
        await expect(async () => x.sources.add(source('cmdb'))).rejects.toThrow(
          'a source named "CMDB" already exists',
        );
        const other = await x.sources.add(source('other'));
        await expect(async () => x.sources.update(other.id, { name: 'Cmdb' })).rejects.toThrow(
          /already exists/,
        );
        await expect(async () => x.sources.update(999, { enabled: false })).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        await x.sources.recordRefresh(s.id, { at: '2026-12-06T00:00:00.000Z', ok: true, rows: 12 });
        expect(x.sources.get(s.id)).toMatchObject({
          lastSuccessAt: '2026-12-06T00:00:00.000Z',
          lastRowCount: 12,
          nextRefreshAt: '2026-12-06T00:30:00.000Z',
        });
        await x.sources.recordRefresh(s.id, {
          at: '2026-12-06T01:00:00.000Z',
          ok: false,
          code: 'REFUSED',
          message: 'no',
        });
        expect(x.sources.get(s.id)).toMatchObject({
          lastSuccessAt: '2026-12-06T00:00:00.000Z',
          lastError: { code: 'REFUSED', message: 'no' },
        });
        expect(
          (await x.sources.update(s.id, { refreshMinutes: 5, enabled: false })).nextRefreshAt,
        ).toBeNull();
        expect(x.sources.resolve('cmdb').id).toBe(s.id);
        expect(x.sources.list().map((r) => r.name)).toEqual(['CMDB', 'other']);
        expect(await x.sources.remove(s.id)).toBe(true);
        expect(await x.sources.remove(s.id)).toBe(false);
        expect(() => x.sources.resolve('cmdb')).toThrow(/no source "cmdb"/);
      });
    });

    describe('settings', () => {
      it('defaults, a round trip, and an invalid value refused with nothing stored', async () => {
        await fresh();
        expect(x.settings.get().syncWorkers).toBe(10);
        const next = await x.settings.update({
          syncWorkers: 4,
          scheduler: { enabled: true, intervalMinutes: 15, cron: null },
        });
        expect(next.syncWorkers).toBe(4);
        expect(x.settings.get()).toEqual(next);
        await expect(async () => x.settings.update({ syncWorkers: 0 })).rejects.toThrow();
        expect(x.settings.get().syncWorkers).toBe(4);
      });
    });

    describe('users', { timeout: 120_000 }, () => {
      it('adds, logs in, changes passwords and roles, removes; the last admin stays', async () => {
        await fresh();
        await x.auth.addUser('Alice', PW, 'admin');
        await expect(x.auth.addUser('alice', PW)).rejects.toThrow('user "alice" already exists');
        await expect(x.auth.addUser('bad name', PW)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
        await expect(x.auth.addUser('bob', 'short')).rejects.toThrow(/at least 8/);
        await x.auth.addUser('bob', PW, 'viewer');
        expect(x.auth.hasUsers()).toBe(true);
        expect(x.auth.listUsers().map((u) => [u.username, u.role])).toEqual([
          ['Alice', 'admin'],
          ['bob', 'viewer'],
        ]);
        const t1 = (await x.auth.login('alice', PW)).access_token;
        expect(await x.auth.verify(t1)).toMatchObject({ sub: 'Alice', role: 'admin' });
        await expect(x.auth.login('alice', 'wrong password')).rejects.toMatchObject({ code: 'LOGIN_FAILED' });
        await expect(async () => x.auth.setRole('alice', 'viewer')).rejects.toThrow(/last admin/);
        await expect(async () => x.auth.removeUser('ALICE')).rejects.toThrow(/last admin/);
        await expect(async () => x.auth.removeUser('nobody')).rejects.toThrow('no user "nobody"');
        await x.auth.setRole('bob', 'admin');
        expect(x.auth.listUsers().find((u) => u.username === 'bob')?.role).toBe('admin');
        await x.auth.setPassword('alice', 'another long password');
        await expect(x.auth.verify(t1)).rejects.toThrow(/password or role of this account changed/);
        await expect(x.auth.login('alice', PW)).rejects.toMatchObject({ code: 'LOGIN_FAILED' });
        const t2 = (await x.auth.login('alice', 'another long password')).access_token;
        const claims = await x.auth.verify(t2);
        expect(x.auth.stillValid(claims)).toBe(true);
        await x.auth.revoke(claims);
        expect(x.auth.stillValid(claims)).toBe(false);
        await expect(x.auth.verify(t2)).rejects.toThrow(/logged out/);
        await x.auth.removeUser('alice');
        expect(x.auth.listUsers().map((u) => u.username)).toEqual(['bob']);
        await expect(x.auth.setPassword('alice', PW)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });
    });
  });
}
