// One script of configuration writes on SQLite and on a real PostgreSQL: what the repos list
// afterwards must be equal, field for field and in the same order (names that differ only in case,
// names beyond ASCII, SQLite's byte order).
import { afterAll, describe, expect, it } from 'vitest';
import {
  postgresBackend,
  sourceInput as source,
  sqliteBackend,
  vcenterInput as vc,
  type ConfigBackend,
} from '../../../../testing/config-backends.js';
import { findPostgresBin } from '../../../../testing/postgres.js';

const HAS_PG = findPostgresBin() !== null;
const PW = 'a long enough password';

describe.skipIf(!HAS_PG)(
  `the same operations read the same on both back ends${HAS_PG ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)'}`,
  { timeout: 120_000 },
  () => {
    const backends: ConfigBackend[] = [];
    afterAll(async () => {
      for (const b of backends) await b.stop();
    });

    it('vCenters, accounts, sources, settings and users list alike, in the same order', async () => {
      backends.push(sqliteBackend(), await postgresBackend());
      const seen: unknown[] = [];
      for (const backend of backends) {
        const x = await backend.fresh();
        // Names that differ only in case, beyond ASCII, and sort differently by bytes than by letters.
        const ä = await x.accounts.add({ name: 'Ärzte', username: 'svc@ärzte', isDefault: false });
        await x.accounts.add({ name: 'ärzte', username: 'svc2', isDefault: true });
        await x.accounts.add({ name: 'Zulu', username: 'z', isDefault: false });
        await expect(async () =>
          x.accounts.add({ name: 'zULU', username: 'z', isDefault: false }),
        ).rejects.toThrow();
        const s1 = await x.sources.add(source('b-src', true));
        await x.sources.add(source('A-src'));
        await x.sources.add(source('Ürsrc'));
        const names = ['vc-b', 'VC-a', 'vc-10', 'vc-9', 'Vc-c'];
        const ids: number[] = [];
        for (const [i, n] of names.entries())
          ids.push(
            (
              await x.vcenters.add(
                vc(n, {
                  ...(i % 2
                    ? { username: '', useServiceAccount: true, serviceAccountId: i === 1 ? ä.id : null }
                    : {}),
                  ...(i === 2 ? { sourceId: s1.id, certReviewPending: true } : {}),
                  tags: i === 3 ? ['prod', 'eu'] : [],
                }),
              )
            ).id,
          );
        await x.vcenters.bulkWrite(
          [vc('bulk-2'), vc('Bulk-1')],
          [{ id: ids[4]!, patch: { site: 'lab', enabled: false } }],
        );
        await x.vcenters.setState(
          ids[0]!,
          { status: 'ok', counts: JSON.stringify({ vms: 2 }), lastSuccessAt: '2026-12-01T00:00:00.000Z' },
          x.term,
        );
        await x.vcenters.setState(
          ids[1]!,
          { status: 'failed', errorCode: 'LOGIN_FAILED', errorMessage: 'no' },
          x.term,
        );
        await x.vcenters.update(ids[3]!, { retiredAt: '2026-12-02T00:00:00.000Z' });
        await x.settings.update({ syncWorkers: 6 });
        await x.auth.addUser('Zed', PW, 'admin');
        await x.auth.addUser('amy', PW, 'viewer');
        const strip = <T extends object>(rows: T[]) => rows.map((r) => ({ ...r, createdAt: undefined }));
        seen.push({
          vcenters: strip(x.vcenters.list()),
          accounts: strip(x.accounts.list()),
          sources: strip(x.sources.list()),
          byUser: x.accounts.findByNameOrUser('SVC@ärzte')?.name ?? null,
          insensitive: [
            x.vcenters.findByNameInsensitive('vc-A')?.name,
            x.accounts.resolve('zulu').name,
            x.sources.resolve('a-SRC').name,
          ],
          settings: x.settings.get(),
          users: strip(x.auth.listUsers()),
        });
      }
      expect(seen[1]).toEqual(seen[0]);
      expect((seen[0] as { vcenters: { name: string }[] }).vcenters.map((v) => v.name)).toEqual([
        'Bulk-1',
        'VC-a',
        'Vc-c',
        'bulk-2',
        'vc-10',
        'vc-9',
        'vc-b',
      ]);
    });
  },
);
