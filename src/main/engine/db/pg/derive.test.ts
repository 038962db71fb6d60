// The PostgreSQL tables derived from schema.ts follow it: every table, column, key and index, with
// the documented type mapping; what cannot be translated fails by name.
import { getTableColumns, is, sql } from 'drizzle-orm';
import { getTableConfig as pgConfig, PgTable } from 'drizzle-orm/pg-core';
import {
  getTableConfig as sqliteConfig,
  index,
  integer,
  sqliteTable,
  text,
  type SQLiteTable,
} from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as sqliteSchema from '../schema.js';
import { derivePgTables } from './derive.js';
import * as pgSchema from './schema.js';
import { isWide, pgTypeOf } from './type-map.js';

const SQLITE_TABLES = Object.values(sqliteSchema) as SQLiteTable[];

describe('the type mapping', () => {
  it('maps each SQLite column kind as documented', () => {
    expect(pgTypeOf('t', { columnType: 'SQLiteText', name: 'name' })).toBe('text');
    expect(pgTypeOf('t', { columnType: 'SQLiteReal', name: 'free_percent' })).toBe('double precision');
    expect(pgTypeOf('t', { columnType: 'SQLiteBoolean', name: 'template' })).toBe('boolean');
    expect(pgTypeOf('t', { columnType: 'SQLiteInteger', name: 'num_cpu' })).toBe('integer');
    expect(pgTypeOf('t', { columnType: 'SQLiteInteger', name: 'capacity_bytes' })).toBe('bigint');
    expect(pgTypeOf('t', { columnType: 'SQLiteTimestamp', name: 'x', mode: 'timestamp' })).toBe(
      'timestamptz(0)',
    );
    expect(pgTypeOf('t', { columnType: 'SQLiteTimestamp', name: 'x', mode: 'timestamp_ms' })).toBe(
      'timestamptz(3)',
    );
    expect(pgTypeOf('t', { columnType: 'SQLiteBlobBuffer', name: 'x' })).toBe('bytea');
    expect(() => pgTypeOf('t', { columnType: 'SQLiteNumeric', name: 'x' })).toThrow(
      /t\.x: the column type SQLiteNumeric has no PostgreSQL mapping/,
    );
  });

  it('gives bigint to sizes, durations, integer times, the history id and the shaping figures', () => {
    for (const [t, c] of [
      ['vms', 'provisioned_bytes'],
      ['sync_state', 'duration_ms'],
      ['revoked_tokens', 'expires_at'],
      ['changes', 'id'],
      ['host_vswitches', 'shaping_peak'],
    ] as const)
      expect(isWide(t, c), `${t}.${c}`).toBe(true);
    for (const [t, c] of [
      ['vms', 'memory_mb'],
      ['vcenters', 'id'],
      ['hosts', 'num_cpu_cores'],
      ['vm_disks', 'device_key'],
    ] as const)
      expect(isWide(t, c), `${t}.${c}`).toBe(false);
  });
});

describe('the derived PostgreSQL schema', () => {
  const derived = pgSchema.derivedTables;

  it('has every table of schema.ts, and pg/schema.ts exports each of them (drizzle-kit reads the exports)', () => {
    expect([...derived.keys()].sort()).toEqual(SQLITE_TABLES.map((t) => sqliteConfig(t).name).sort());
    const exported = Object.values(pgSchema)
      .filter((v): v is PgTable => is(v, PgTable))
      .map((t) => pgConfig(t).name)
      .sort();
    expect(exported).toEqual([...derived.keys(), 'search_index', 'team_leader', 'vault'].sort());
  });

  it('keeps every column, NOT NULL, default, primary key, foreign key and index of each table', () => {
    for (const source of SQLITE_TABLES) {
      const s = sqliteConfig(source);
      const p = pgConfig(derived.get(s.name)!.table);
      expect(
        p.columns.map((c) => c.name),
        s.name,
      ).toEqual(s.columns.map((c) => c.name));
      for (const c of s.columns) {
        const pc = p.columns.find((x) => x.name === c.name)!;
        expect(pc.notNull, `${s.name}.${c.name} notNull`).toBe(c.notNull);
        expect(pc.primary, `${s.name}.${c.name} primary`).toBe(c.primary);
        expect(pc.default, `${s.name}.${c.name} default`).toEqual(c.default);
      }
      expect(
        p.primaryKeys.map((k) => k.columns.map((c) => c.name)),
        s.name,
      ).toEqual(s.primaryKeys.map((k) => k.columns.map((c) => c.name)));
      const fks = (
        list: {
          reference(): {
            columns: { name: string }[];
            foreignColumns: { name: string }[];
            foreignTable: object;
          };
          onDelete?: string;
        }[],
        cfg: (t: never) => { name: string },
      ) =>
        list
          .map((f) => {
            const r = f.reference();
            return `${r.columns.map((c) => c.name).join(',')} -> ${cfg(r.foreignTable as never).name}(${r.foreignColumns.map((c) => c.name).join(',')}) on delete ${f.onDelete ?? 'no action'}`;
          })
          .sort();
      expect(fks(p.foreignKeys, pgConfig as never), s.name).toEqual(
        fks(s.foreignKeys, sqliteConfig as never),
      );
      expect(p.indexes.map((i) => `${i.config.name} ${i.config.unique}`).sort(), s.name).toEqual(
        s.indexes.map((i) => `${i.config.name} ${i.config.unique}`).sort(),
      );
    }
  });

  it('types the columns of the cache as documented', () => {
    const type = (t: string, c: string) => derived.get(t)!.types[c];
    expect(type('vms', 'provisioned_bytes')).toBe('bigint');
    expect(type('vms', 'template')).toBe('boolean');
    expect(type('vms', 'memory_mb')).toBe('integer');
    expect(type('datastores', 'free_percent')).toBe('double precision');
    expect(type('vcenters', 'created_at')).toBe('text');
    expect(type('changes', 'id')).toBe('bigint');
    const vcId = getTableColumns(derived.get('vcenters')!.table)['id']!;
    expect(vcId.getSQLType()).toBe('integer');
  });

  it('refuses what it cannot translate, naming the table and the place to add a rule', () => {
    const lowered = sqliteTable('t1', { name: text('name').notNull() }, (t) => [
      index('t1_name').on(sql`lower(${t.name})`),
    ]);
    expect(() => pgConfig(derivePgTables([lowered]).get('t1')!.table)).toThrow(
      /t1: the index t1_name has an expression with no PostgreSQL translation/,
    );
    const sqlDefault = sqliteTable('t2', { at: integer('at').default(sql`(unixepoch())`) });
    expect(() => derivePgTables([sqlDefault])).toThrow(
      /t2\.at: an SQL default has no PostgreSQL translation/,
    );
    const long = sqliteTable('t3', { [`c${'x'.repeat(70)}`]: text(`c${'x'.repeat(70)}`) });
    expect(() => derivePgTables([long])).toThrow(/longer than PostgreSQL's 63 bytes/);
  });
});
