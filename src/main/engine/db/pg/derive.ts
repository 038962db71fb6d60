/**
 * The PostgreSQL tables, derived from the SQLite schema (schema.ts stays the one schema source):
 * columns with their types (type-map.ts), NOT NULL, defaults, primary keys, foreign keys with
 * their ON DELETE, unique and plain indexes. SQLite's `x COLLATE NOCASE` in an index becomes
 * `lower(x)`: with the database's LC_CTYPE "C" (see docs/team-server.md) both fold ASCII letters
 * only, so uniqueness and the order of names stay the same.
 *
 * Anything the derivation cannot translate faithfully (an unknown column type, an SQL default, an
 * index expression other than a column or `column COLLATE NOCASE`, a name longer than
 * PostgreSQL's 63 bytes) throws, naming the table and what to add here.
 */
import { getTableColumns, is, SQL, sql, StringChunk } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  type ExtraConfigColumn,
  type PgColumn,
  type PgColumnBuilderBase,
  type PgTable,
  type PgTableExtraConfigValue,
} from 'drizzle-orm/pg-core';
import { getTableConfig, SQLiteColumn, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { pgTypeOf, type PgType } from './type-map.js';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** PostgreSQL's identifier limit (NAMEDATALEN − 1). */
const MAX_IDENTIFIER = 63;

export interface DerivedTable {
  name: string;
  table: PgTable;
  /** The PostgreSQL type of each column, by column name. */
  types: Record<string, PgType>;
  /** Boolean and timestamp columns: what the copy converts from SQLite's integers. */
  source: SQLiteTable;
}

function checkName(table: string, what: string, name: string): string {
  if (Buffer.byteLength(name) > MAX_IDENTIFIER)
    throw new Error(
      `${table}: the ${what} name "${name}" is longer than PostgreSQL's ${MAX_IDENTIFIER} bytes (give it a shorter name in schema.ts)`,
    );
  return name;
}

function columnBuilder(table: string, col: SQLiteColumn, type: PgType): PgColumnBuilderBase {
  const base = (() => {
    switch (type) {
      case 'text':
        return text(col.name);
      case 'integer':
        return integer(col.name);
      case 'bigint':
        return bigint(col.name, { mode: col.columnType === 'SQLiteBigInt' ? 'bigint' : 'number' });
      case 'double precision':
        return doublePrecision(col.name);
      case 'boolean':
        return boolean(col.name);
      case 'timestamptz(0)':
        return timestamp(col.name, { withTimezone: true, precision: 0, mode: 'date' });
      case 'timestamptz(3)':
        return timestamp(col.name, { withTimezone: true, precision: 3, mode: 'date' });
      case 'bytea':
        return bytea(col.name);
      case 'jsonb':
        return jsonb(col.name);
    }
  })();
  // The builders share these methods; one structural view of them keeps the chain typed.
  let b = base as unknown as {
    notNull(): unknown;
    default(v: unknown): unknown;
    primaryKey(): unknown;
    generatedByDefaultAsIdentity(): unknown;
  };
  const step = (next: unknown) => {
    b = next as typeof b;
  };
  if (col.primary) step(b.primaryKey());
  if (col.notNull && !col.primary) step(b.notNull());
  if ((col as SQLiteColumn & { autoIncrement?: boolean }).autoIncrement)
    // Explicit ids stay insertable (a copy keeps them); the sequence is moved past them after.
    step(b.generatedByDefaultAsIdentity());
  if (col.hasDefault && col.default !== undefined) {
    if (is(col.default, SQL))
      throw new Error(
        `${table}.${col.name}: an SQL default has no PostgreSQL translation yet (add one in src/main/engine/db/pg/derive.ts)`,
      );
    step(b.default(col.default));
  }
  return b as unknown as PgColumnBuilderBase;
}

function nonEmpty<T>(items: T[]): [T, ...T[]] {
  if (items.length === 0) throw new Error('a key or an index without columns');
  return items as [T, ...T[]];
}

/** The SQLite column an index part names, and whether it is folded (`COLLATE NOCASE`). */
function indexPart(table: string, index: string, part: unknown): { column: SQLiteColumn; nocase: boolean } {
  if (is(part, SQLiteColumn)) return { column: part, nocase: false };
  if (is(part, SQL)) {
    const columns = part.queryChunks.filter((c): c is SQLiteColumn => is(c, SQLiteColumn));
    const words = part.queryChunks
      .filter((c): c is StringChunk => is(c, StringChunk))
      .map((c) => c.value.join(''))
      .join('')
      .trim()
      .toUpperCase();
    if (columns.length === 1 && part.queryChunks.length <= 3 && words === 'COLLATE NOCASE')
      return { column: columns[0]!, nocase: true };
  }
  throw new Error(
    `${table}: the index ${index} has an expression with no PostgreSQL translation (only columns and \`column COLLATE NOCASE\` are translated; add a rule in src/main/engine/db/pg/derive.ts)`,
  );
}

/**
 * Derives one PostgreSQL table per SQLite table. Foreign keys are resolved by table name when
 * drizzle builds the table config, so tables may reference tables derived after them.
 */
export function derivePgTables(tables: readonly SQLiteTable[]): Map<string, DerivedTable> {
  const byName = new Map<string, DerivedTable>();
  const pgColumn = (tableName: string, columnName: string): PgColumn => {
    const d = byName.get(tableName);
    const c = d && Object.values(getTableColumns(d.table)).find((x) => x.name === columnName);
    if (!c)
      throw new Error(`the foreign key target ${tableName}.${columnName} is not among the derived tables`);
    return c;
  };
  for (const source of tables) {
    const cfg = getTableConfig(source);
    const name = checkName(cfg.name, 'table', cfg.name);
    const types: Record<string, PgType> = {};
    const columns: Record<string, PgColumnBuilderBase> = {};
    const keyOf = new Map<string, string>();
    for (const [key, col] of Object.entries(getTableColumns(source))) {
      checkName(name, 'column', col.name);
      const type = pgTypeOf(name, {
        columnType: col.columnType,
        name: col.name,
        ...('mode' in col && typeof col.mode === 'string' ? { mode: col.mode } : {}),
      });
      types[col.name] = type;
      columns[key] = columnBuilder(name, col, type);
      keyOf.set(col.name, key);
    }
    const table = pgTable(name, columns, (self) => {
      // drizzle hands the built PgColumns to this callback (typed as its index-building view).
      const own = (c: SQLiteColumn) => self[keyOf.get(c.name)!] as unknown as PgColumn;
      const extra = (c: SQLiteColumn) => self[keyOf.get(c.name)!] as unknown as ExtraConfigColumn;
      const extras: PgTableExtraConfigValue[] = [];
      for (const pk of cfg.primaryKeys)
        extras.push(
          primaryKey({
            name: checkName(name, 'primary key', pk.getName()),
            columns: nonEmpty(pk.columns.map(own)),
          }),
        );
      for (const fk of cfg.foreignKeys) {
        const ref = fk.reference();
        const foreign = getTableConfig(ref.foreignTable).name;
        const cols = ref.columns.map((c) => c.name);
        extras.push(
          foreignKey({
            name: checkName(name, 'foreign key', `${name}_${cols.join('_')}_fk`),
            columns: nonEmpty(ref.columns.map(own)),
            foreignColumns: nonEmpty(ref.foreignColumns.map((c) => pgColumn(foreign, c.name))),
          })
            .onDelete(fk.onDelete ?? 'no action')
            .onUpdate(fk.onUpdate ?? 'no action'),
        );
      }
      for (const ix of cfg.indexes) {
        const ixName = checkName(name, 'index', ix.config.name);
        if (ix.config.where)
          throw new Error(
            `${name}: the index ${ixName} is partial; add its translation in src/main/engine/db/pg/derive.ts`,
          );
        // A column that may be NULL is indexed with its NULLs first, where SQLite sorts them: the
        // planner's ORDER BY (NULLs first ascending, last descending) then walks the index one
        // way or the other, as on SQLite (docs/team-server.md, the query engine on PostgreSQL).
        const parts = ix.config.columns.map((p) => {
          const { column, nocase } = indexPart(name, ixName, p);
          if (nocase)
            return column.notNull ? sql`lower(${own(column)})` : sql`lower(${own(column)}) NULLS FIRST`;
          return column.notNull ? own(column) : (extra(column).nullsFirst() as unknown as PgColumn);
        });
        const builder = (ix.config.unique ? uniqueIndex : index)(ixName);
        extras.push(builder.on(...nonEmpty<PgColumn | SQL>(parts)));
      }
      if (cfg.uniqueConstraints.length || cfg.checks.length)
        throw new Error(
          `${name}: unique constraints and checks have no PostgreSQL translation yet (add one in src/main/engine/db/pg/derive.ts)`,
        );
      return extras;
    });
    byName.set(name, { name, table, types, source });
  }
  return byName;
}
