/**
 * List pages on PostgreSQL (issue 18): a generated cache (three vCenters, NULLs in sort keys,
 * awkward text, a change history) is copied into a real PostgreSQL, and every entity's list is
 * walked page by page — by every field, both ways, with filters, through keyset cursors and
 * offsets — on SQLite (`ListPages`) and on PostgreSQL (`PgListPages`). Each page must be the same
 * on both: the row objects, totals and cursors, and the JSON pages parsed — byte for byte where
 * SQLite writes the JSON itself (entities without REAL columns).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListRequestSchema, type ListRequest } from '../../shared/contract.js';
import { FIELDS, QUERY_ENTITIES, type QueryEntity } from '../../shared/fields.js';
import type { Filter } from '../../shared/query.js';
import { insertChanges, type SeedChange } from '../../testing/changes-seed.js';
import { populateCache } from '../../testing/generate-inventory.js';
import { findPostgresBin, startPostgres, type RunningPostgres, teamCopyOf } from '../../testing/postgres.js';
import { openDatabase, type OpenedDatabase } from './db/database.js';
import { ListPages } from './list-pages.js';
import { PgListPages } from './list-pages-pg.js';
import { PgQueryBackend } from './query/pg-backend.js';
import { canSelectJson } from './query/planner.js';
import { QueryService } from './query/query-service.js';

const PW = 'Pages-Pw-1';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

let dir: string;
let opened: OpenedDatabase;
let server: RunningPostgres;
let backend: PgQueryBackend;
let sqlitePages: ListPages;
let pgPages: PgListPages;
const mismatches: string[] = [];
let pagesCompared = 0;
let jsonPages = 0;
let sameBytes = 0;

const TRICKY = ['Zeta', 'alpha', 'ALPHA', 'quote " back \\ slash', 'unicode é ü 日本 😀', 'under_score', ''];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-pgpages-'));
  opened = openDatabase(dir);
  populateCache(opened, {
    vcenters: 3,
    vmsTotal: 420,
    hostsTotal: 24,
    datastoresTotal: 10,
    seed: 5,
    failedVcenters: 1,
  });
  // NULLs in sort keys (first ascending, last descending on both), names that differ in case only.
  opened.sqlite.exec('UPDATE vms SET cluster = NULL WHERE rowid % 5 = 0');
  opened.sqlite.exec('UPDATE vms SET memory_mb = NULL WHERE rowid % 7 = 0');
  opened.sqlite.exec('UPDATE vms SET template = 1 WHERE rowid % 11 = 0');
  const upd = opened.sqlite.prepare('UPDATE vms SET name = ?, annotation = ? WHERE rowid = ?');
  TRICKY.forEach((t, i) => upd.run(t, t, i * 13 + 1));
  const vc = opened.sqlite.prepare('SELECT id, name FROM vcenters ORDER BY id LIMIT 1').get() as {
    id: number;
    name: string;
  };
  const vms = opened.sqlite
    .prepare('SELECT moid, name FROM vms WHERE vcenter_id = ? LIMIT 40')
    .all(vc.id) as {
    moid: string;
    name: string;
  }[];
  const changes: SeedChange[] = vms.flatMap((v, i) => [
    {
      at: new Date(Date.UTC(2026, 10, 1 + (i % 20), i % 24)),
      vcenterId: vc.id,
      vcenter: vc.name,
      entity: 'vms',
      moid: v.moid,
      objectName: v.name,
      kind: 'changed' as const,
      field: 'memoryMb',
      oldValue: String(1024 * (i + 1)),
      newValue: i % 3 === 0 ? null : String(2048 * (i + 1)),
      source: i % 2 ? ('live' as const) : ('sync' as const),
    },
    {
      at: new Date(Date.UTC(2026, 10, 1 + (i % 20), i % 24)),
      vcenterId: vc.id,
      vcenter: vc.name,
      entity: 'vms',
      moid: v.moid,
      objectName: v.name,
      kind: 'created' as const,
    },
  ]);
  insertChanges(opened.sqlite, changes);
  sqlitePages = new ListPages(opened.sqlite, new QueryService({ sqlite: opened.sqlite }));
  if (NO_PG) return;
  server = await startPostgres(PW);
  const target = await teamCopyOf(server, 'pages', dir);
  backend = PgQueryBackend.connect(target);
  pgPages = new PgListPages(backend, new QueryService({ postgres: backend }));
}, 180_000);

afterAll(async () => {
  process.stdout.write(
    `\nList pages SQLite/PostgreSQL: ${pagesCompared} pages compared, ${mismatches.length} differ; JSON written by both: ${sameBytes} of ${jsonPages} byte for byte\n${mismatches.slice(0, 40).join('\n')}\n`,
  );
  await backend?.close();
  await server?.stop();
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const req = (r: Partial<ListRequest> & Pick<ListRequest, 'entity'>): ListRequest =>
  ListRequestSchema.parse(r);

/**
 * Walks a list on both back ends, following each side's own cursors, up to `maxPages` pages;
 * compares every page (objects and parsed JSON).
 */
async function walk(base: ListRequest, maxPages: number): Promise<void> {
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const r = { ...base, ...(cursor ? { cursor } : {}) };
    const a = sqlitePages.page(r);
    const b = await pgPages.page(r);
    const ta = sqlitePages.build(r).body.toString('utf8');
    const tb = (await pgPages.build(r)).body.toString('utf8');
    const ja: unknown = JSON.parse(ta);
    const jb: unknown = JSON.parse(tb);
    pagesCompared++;
    const label = `${JSON.stringify(base)} page ${n + 1}`;
    try {
      expect(b, label).toEqual(a);
      expect(jb, `${label} (JSON)`).toEqual(ja);
      // Where SQLite writes the JSON itself (no REAL columns), PostgreSQL writes the same bytes.
      if (canSelectJson(base.entity)) {
        jsonPages++;
        expect(tb, `${label} (JSON bytes)`).toBe(ta);
        sameBytes++;
      }
      // The JSON page is the object page (booleans, numbers and cursors alike) on PostgreSQL too.
      expect(jb, `${label} (JSON = objects)`).toEqual(JSON.parse(JSON.stringify(b)));
      // What serve sends (a remembered page, or one built for several clients at once) is what is built.
      expect((await pgPages.json(r)).body.toString('utf8'), `${label} (remembered)`).toBe(tb);
    } catch (err) {
      mismatches.push(label);
      throw err;
    }
    if (!a.nextCursor) return;
    cursor = a.nextCursor;
  }
}

const FILTERS: Partial<Record<QueryEntity, Filter[]>> = {
  vms: [
    { kind: 'text', field: 'name', op: 'contains', value: 'A' },
    { kind: 'text', field: 'name', op: 'equals', value: 'alpha' },
    { kind: 'cmp', field: 'template', op: 'eq', value: false },
    { kind: 'not', filter: { kind: 'text', field: 'cluster', op: 'glob', value: '*a*' } },
    { kind: 'cmp', field: 'memoryMb', op: 'gt', value: 4096.5 },
    { kind: 'text', field: 'datastores', op: 'glob', value: 'ds*' },
    { kind: 'empty', field: 'cluster', empty: true },
    { kind: 'has', relation: 'tags' },
    {
      kind: 'or',
      filters: [
        { kind: 'text', field: 'vcenter', op: 'equals', value: 'VC-FRA-01' },
        { kind: 'between', field: 'numCpu', min: 2, max: 4 },
      ],
    },
  ],
  hosts: [{ kind: 'text', field: 'cluster', op: 'startsWith', value: 'c' }],
  changes: [{ kind: 'text', field: 'object', op: 'equals', value: 'ALPHA' }],
};

const SORTABLE = (entity: QueryEntity): string[] =>
  Object.keys(FIELDS[entity]).filter((f) => !['tags', 'attributes', 'lastChangedAt'].includes(f));

describe.skipIf(NO_PG !== '')(
  `list pages on PostgreSQL, page for page as on SQLite${NO_PG}`,
  { timeout: 300_000 },
  () => {
    it.each(QUERY_ENTITIES.map((e) => [e] as const))('%s: the default order, every page', async (entity) => {
      await walk(req({ entity, limit: 29 }), 1000);
      // Offsets page the same way.
      const a = sqlitePages.page(req({ entity, limit: 17, offset: 40 }));
      const b = await pgPages.page(req({ entity, limit: 17, offset: 40 }));
      expect(b).toEqual(a);
    });

    it.each(QUERY_ENTITIES.map((e) => [e] as const))('%s: by every field, both ways', async (entity) => {
      for (const field of SORTABLE(entity))
        for (const dir of ['asc', 'desc'] as const)
          await walk(req({ entity, limit: 50, sort: [{ field, dir }] }), entity === 'vms' ? 3 : 6);
    });

    it('by two fields in mixed directions, every page', async () => {
      await walk(
        req({
          entity: 'vms',
          limit: 31,
          sort: [
            { field: 'cluster', dir: 'desc' },
            { field: 'memoryMb', dir: 'asc' },
          ],
        }),
        1000,
      );
      await walk(req({ entity: 'vms', limit: 31, sort: [{ field: 'template', dir: 'desc' }] }), 1000);
    });

    it.each(Object.entries(FILTERS).flatMap(([e, fs]) => fs.map((f) => [e as QueryEntity, f] as const)))(
      '%s filtered: %j',
      async (entity, filter) => {
        await walk(req({ entity, limit: 23, filter }), 1000);
        await walk(
          req({
            entity,
            limit: 23,
            filter,
            sort: [{ field: entity === 'changes' ? 'at' : 'name', dir: 'desc' }],
          }),
          1000,
        );
      },
    );

    it('compared real pages', () => {
      expect(pagesCompared).toBeGreaterThan(500);
      expect(mismatches).toEqual([]);
    });
  },
);
