/**
 * vCenter sources on the team database: reads from the mirror, writes under the sources' lock
 * with the rules of source-rules.ts (the same ones SourceRepo applies on SQLite).
 */
import type { SourceInfo } from '../../../../shared/sources.js';
import { sources } from '../../db/schema.js';
import {
  checkSourceName,
  refreshRow,
  resolveSource,
  sourceInfo,
  sourceNotFound,
  sourcePatchRow,
  sourceRow,
  type NewSource,
  type RefreshOutcome,
  type SourceRecord,
  type SourceStore,
} from '../../sources/source-rules.js';
import type { PgConfig } from './pg-config.js';
import { insertRow, updateRows, type Queryable } from './pg-rows.js';
import { byName, foldAscii } from './text-order.js';

export class PgSourceRepo implements SourceStore {
  constructor(private readonly config: PgConfig) {}

  private toInfo(r: SourceRecord): SourceInfo {
    let listed = 0;
    let retired = 0;
    for (const v of this.config.rows('vcenters'))
      if (v.sourceId === r.id) {
        if (v.retiredAt === null) listed++;
        else retired++;
      }
    return sourceInfo(r, { listed, retired });
  }

  private find(pred: (r: SourceRecord) => boolean): SourceInfo | undefined {
    const r = this.config.rows('sources').find(pred);
    return r ? this.toInfo(r) : undefined;
  }

  list(): SourceInfo[] {
    return byName(this.config.rows('sources')).map((r) => this.toInfo(r));
  }

  get(id: number): SourceInfo | undefined {
    const r = this.config.row('sources', id);
    return r ? this.toInfo(r) : undefined;
  }

  resolve(nameOrId: string | number): SourceInfo {
    return resolveSource(
      (name) => this.find((r) => foldAscii(r.name) === foldAscii(name)),
      (id) => this.get(id),
      nameOrId,
    );
  }

  async add(s: NewSource): Promise<SourceInfo> {
    const row = await this.config.write({ tables: ['sources'], lock: ['sources'] }, async (c, touch) => {
      checkSourceName(await sameName(c, s.name));
      const r = (await insertRow(c, sources, sourceRow(s, new Date().toISOString())))!;
      touch('sources', r.id);
      return r;
    });
    return this.toInfo(row);
  }

  async update(id: number, patch: Partial<NewSource>): Promise<SourceInfo> {
    const row = await this.config.write({ tables: ['sources'], lock: ['sources'] }, async (c, touch) => {
      touch('sources', id);
      if (patch.name !== undefined) checkSourceName(await sameName(c, patch.name), id);
      const [r] = await updateRows(c, sources, sourcePatchRow(patch), 'id = {1}', [id]);
      if (!r) throw sourceNotFound(id);
      return r;
    });
    return this.toInfo(row);
  }

  async recordRefresh(id: number, outcome: RefreshOutcome): Promise<void> {
    await this.config.write({ tables: ['sources'] }, async (c, touch) => {
      touch('sources', id);
      await updateRows(c, sources, refreshRow(outcome), 'id = {1}', [id]);
    });
  }

  async remove(id: number): Promise<boolean> {
    // vcenters.source_id is set to NULL by the foreign key: their "managed by" changes too.
    return this.config.write({ tables: ['sources', 'vcenters'], lock: ['sources'] }, async (c, touch) => {
      touch('sources', id);
      return ((await c.query('DELETE FROM sources WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }
}

async function sameName(c: Queryable, name: string): Promise<{ id: number; name: string } | undefined> {
  return (
    await c.query<{ id: number; name: string }>(
      'SELECT id, name FROM sources WHERE lower(name) = lower($1) ORDER BY id LIMIT 1',
      [name],
    )
  ).rows[0];
}
