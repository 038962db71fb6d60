// A SQL source's refresh on both back ends: the desktop's SQLite repos and the team server's
// PostgreSQL repos (one bulkWrite each refresh). The source is a real PostgreSQL table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceConfigSchema } from '../../../shared/sources.js';
import {
  postgresBackend,
  sqliteBackend,
  vcenterInput,
  type ConfigBackend,
  type ConfigInstance,
  type PostgresBackend,
} from '../../../testing/config-backends.js';
import { findPostgresBin } from '../../../testing/postgres.js';
import { VcenterRepo } from '../db/vcenter-repo.js';
import { SETTLED_BY_TRUST, trustCertificates, trustCertificatesOn } from './cert-review.js';
import { applyImport, planImport } from './import.js';
import { refreshSource, testSource, type RefreshDeps } from './refresh.js';
import { readTableFile } from './table-file.js';

const HAS_PG = findPostgresBin() !== null;
const READER_PW = 'Reader-Pw-1';

describe.skipIf(!HAS_PG)('source refresh on both back ends', { timeout: 120_000 }, () => {
  let pgb: PostgresBackend;
  let sqlite: ConfigBackend;

  beforeAll(async () => {
    pgb = await postgresBackend();
    sqlite = sqliteBackend();
    const admin = await pgb.admin('postgres');
    try {
      await admin.query(`CREATE ROLE cmdb_reader LOGIN PASSWORD '${READER_PW}'`);
      await admin.query('CREATE TABLE cmdb (vc_name text, fqdn text, active boolean)');
      await admin.query('GRANT SELECT ON cmdb TO cmdb_reader');
    } finally {
      await admin.end();
    }
  }, 180_000);
  afterAll(async () => {
    await sqlite?.stop();
    await pgb?.stop();
  });

  async function setRows(rows: [string, string, boolean][]): Promise<void> {
    const admin = await pgb.admin('postgres');
    try {
      await admin.query('DELETE FROM cmdb');
      for (const r of rows) await admin.query('INSERT INTO cmdb VALUES ($1, $2, $3)', r);
    } finally {
      await admin.end();
    }
  }

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind}: adds (certificate review pending), updates, retires and restores in one write; records the outcome`, async () => {
      const x: ConfigInstance = await (kind === 'sqlite' ? sqlite : pgb).fresh();
      const source = await x.sources.add({
        name: 'cmdb',
        kind: 'postgres',
        config: SourceConfigSchema.parse({
          connection: {
            server: pgb.server.host,
            port: pgb.server.port,
            database: 'postgres',
            user: 'cmdb_reader',
            encrypt: false,
          },
          query: 'SELECT vc_name, fqdn, active FROM cmdb ORDER BY vc_name',
          mapping: {
            name: 'vc_name',
            host: 'fqdn',
            port: null,
            username: null,
            site: null,
            tags: null,
            enabled: 'active',
          },
        }),
        refreshMinutes: 30,
        enabled: true,
      });
      // A vCenter of the local list holds a name the table lists too: the source skips it.
      await x.vcenters.add(vcenterInput('vc-local'));
      const deps: RefreshDeps = {
        repo: x.vcenters,
        sources: x.sources,
        accounts: x.accounts,
        password: () => READER_PW,
      };
      await setRows([
        ['vc-a', 'vc-a.corp', true],
        ['vc-b', 'vc-b.corp', true],
        ['vc-local', 'vc-local.corp', true],
      ]);
      const tested = await testSource(deps, x.sources.resolve(source.id));
      expect(tested.mapped.map((m) => m.url)).toEqual([
        'https://vc-a.corp/sdk',
        'https://vc-b.corp/sdk',
        'https://vc-local.corp/sdk',
      ]);

      const r1 = await refreshSource(deps, x.sources.resolve(source.id));
      expect(r1).toMatchObject({ ok: true, rows: 3, added: ['vc-a', 'vc-b'], retired: [] });
      expect(r1.skipped).toEqual([{ name: 'vc-local', reason: 'already registered in the local list' }]);
      const a = x.vcenters.findByName('vc-a')!;
      expect(r1.addedIds).toEqual([a.id, x.vcenters.findByName('vc-b')!.id]);
      // No password goes to a source's new vCenter before its certificate is reviewed.
      expect([a.awaitingCertReview, a.source?.name, a.credential.kind]).toEqual([true, 'cmdb', 'service']);
      expect(x.sources.get(source.id)).toMatchObject({ lastError: null, lastRowCount: 3 });

      // vc-a moves to a new address, vc-b leaves the table.
      await setRows([['vc-a', 'vc-a2.corp', true]]);
      const r2 = await refreshSource(deps, x.sources.resolve(source.id));
      expect(r2).toMatchObject({ ok: true, updated: ['vc-a'], retired: ['vc-b'], added: [] });
      expect(x.vcenters.findByName('vc-a')!.url).toBe('https://vc-a2.corp/sdk');
      expect(x.vcenters.list().map((v) => `${v.name}:${v.sync.status}`)).toEqual([
        'vc-a:idle',
        'vc-b:retired',
        'vc-local:idle',
      ]);

      // vc-b returns; a row whose address another vCenter holds is skipped, the rest lands.
      await setRows([
        ['vc-a', 'vc-a2.corp', true],
        ['vc-b', 'vc-b.corp', true],
        ['vc-c', 'vc-local.corp', true],
      ]);
      const r3 = await refreshSource(deps, x.sources.resolve(source.id));
      expect(r3).toMatchObject({ ok: true, restored: ['vc-b'], added: [] });
      expect(r3.skipped).toEqual([{ name: 'vc-c', reason: 'its address belongs to vc-local' }]);
      expect(x.vcenters.findByName('vc-b')!.retiredAt).toBeNull();

      // An empty answer keeps the last good list and is recorded as a failure.
      await setRows([]);
      const r4 = await refreshSource(deps, x.sources.resolve(source.id));
      expect(r4.error?.code).toBe('QUERY_FAILED');
      expect(x.sources.get(source.id)).toMatchObject({ lastError: { code: 'QUERY_FAILED' } });
      expect(x.vcenters.list().filter((v) => v.retiredAt === null)).toHaveLength(3);
      await x.close();
    });
  }

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind}: trusting pins the thumbprints and settles "certificate changed" (the leader's write on PostgreSQL)`, async () => {
      const x: ConfigInstance = await (kind === 'sqlite' ? sqlite : pgb).fresh();
      const changed = await x.vcenters.add(vcenterInput('vc-changed', { thumbprint: 'AA:BB' }));
      const fresh = await x.vcenters.add(vcenterInput('vc-new', { certReviewPending: true }));
      await x.vcenters.setState(
        changed.id,
        { status: 'certificate_changed', errorCode: 'CERT_CHANGED', errorMessage: 'renewed' },
        x.term,
      );
      const thumb = 'ab:'.repeat(31) + 'ab';
      const items = [
        { vcenterId: changed.id, thumbprint: thumb },
        { vcenterId: fresh.id, thumbprint: thumb.replace(/^ab/, 'cd') },
      ];
      const trusted =
        x.vcenters instanceof VcenterRepo
          ? trustCertificates(x.vcenters, items)
          : await trustCertificatesOn(x.vcenters, items, async (pins) => {
              for (const p of pins) await x.vcenters.setState(p.vcenterId, SETTLED_BY_TRUST, x.term);
            });
      expect(trusted).toEqual(['vc-changed', 'vc-new']);
      const byName = new Map(x.vcenters.list().map((v) => [v.name, v]));
      expect(byName.get('vc-changed')).toMatchObject({
        thumbprint: thumb.toUpperCase(),
        awaitingCertReview: false,
        sync: { status: 'idle', error: null },
      });
      expect(byName.get('vc-new')).toMatchObject({ awaitingCertReview: false });
      expect(byName.get('vc-new')!.thumbprint).toMatch(/^CD:/);
      // An unknown vCenter refuses the whole batch before anything is pinned.
      const bad = [{ vcenterId: 999_999, thumbprint: thumb }];
      if (x.vcenters instanceof VcenterRepo)
        expect(() => trustCertificates(x.vcenters as VcenterRepo, bad)).toThrow(/no vCenter with id 999999/);
      else
        await expect(trustCertificatesOn(x.vcenters, bad, async () => undefined)).rejects.toThrow(
          /no vCenter with id 999999/,
        );
      await x.close();
    });
  }

  for (const kind of ['sqlite', 'postgres'] as const) {
    it(`${kind}: a CSV import adds and updates in one bulkWrite; a clash refuses it whole`, async () => {
      const x: ConfigInstance = await (kind === 'sqlite' ? sqlite : pgb).fresh();
      await x.vcenters.add(vcenterInput('vc-old', { site: 'old' }));
      const csv = 'name,host,site\nvc-old,vc-old.corp,AMS\nvc-imp,vc-imp.corp,FRA\n';
      const plan = planImport(await readTableFile(Buffer.from(csv), 'csv'), x.vcenters, x.accounts);
      const result = await applyImport(plan, x.vcenters);
      expect([result.addedIds.length, result.updatedIds.length]).toEqual([1, 1]);
      expect(x.vcenters.list().map((v) => `${v.name}:${v.site}`)).toEqual(['vc-imp:FRA', 'vc-old:AMS']);
      // Planned on a registry that changes before it lands: the write's own check refuses it whole.
      const late = planImport(
        await readTableFile(Buffer.from('name,host\nvc-x,vc-x.corp\nvc-y,vc-y.corp\n'), 'csv'),
        x.vcenters,
        x.accounts,
      );
      await x.vcenters.add(vcenterInput('vc-y2', { url: 'https://vc-y.corp/sdk' }));
      await expect(applyImport(late, x.vcenters)).rejects.toThrow(/already registered as "vc-y2"/);
      expect(x.vcenters.findByName('vc-x')).toBeUndefined();
      await x.close();
    });
  }
});
