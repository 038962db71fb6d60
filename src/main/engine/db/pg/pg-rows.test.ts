// The array literals the store binds (`arrayLiteral`) read back as the same values through a real
// PostgreSQL's array_in: whatever the text holds, no element is lost, split, unescaped or taken
// for NULL.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAdmin,
  findPostgresBin,
  startPostgres,
  type RunningPostgres,
} from '../../../../testing/postgres.js';
import { arrayLiteral } from './pg-rows.js';

const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

const TEXTS = [
  'plain',
  '',
  'NULL',
  'null',
  ' leading and trailing ',
  'comma, inside',
  '{braces}',
  'a "quoted" word',
  'back\\slash',
  'ends with a backslash\\',
  '\\"',
  'tab\tnew\nline\rreturn',
  'ünïcødé ✓ 名前 🚀',
  "it's",
  '$1::text[]',
];

describe('arrayLiteral', () => {
  it('writes NULL, numbers, booleans and quoted text', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral([null, undefined, 1, -2.5, 10n, true, false, 'a"b\\c'])).toBe(
      '{NULL,NULL,1,-2.5,10,t,f,"a\\"b\\\\c"}',
    );
  });

  it('refuses what it cannot write instead of sending its string form', () => {
    expect(() => arrayLiteral([{ a: 1 }])).toThrow(/only text, numbers and booleans/);
  });
});

describe.skipIf(NO_PG !== '')(`arrayLiteral read by PostgreSQL${NO_PG}`, { timeout: 60_000 }, () => {
  let server: RunningPostgres;
  let client: pg.Client;
  beforeAll(async () => {
    server = await startPostgres('Rows-Pw-1');
    client = await connectAdmin(server, 'postgres');
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  it('gives back every text, NULL and the string "NULL" apart', async () => {
    const values = [...TEXTS, null, ...TEXTS.map((t) => t.repeat(3))];
    const res = await client.query<{ v: string | null }>(
      'SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n',
      [arrayLiteral(values)],
    );
    expect(res.rows.map((r) => r.v)).toEqual(values);
  });

  it('gives back integers, bigints, doubles and booleans', async () => {
    const ints = [0, -1, 2_147_483_647, null];
    const bigs = [2 ** 53 - 1, -(2 ** 40), 12n, null];
    const reals = [0.1, -1.5e-7, 1e21, null];
    const bools = [true, false, null, true];
    const res = await client.query<{
      i: number | null;
      b: string | null;
      r: number | null;
      f: boolean | null;
    }>(
      'SELECT i, b, r, f FROM unnest($1::integer[], $2::bigint[], $3::double precision[], $4::boolean[]) WITH ORDINALITY AS t(i, b, r, f, n) ORDER BY n',
      [arrayLiteral(ints), arrayLiteral(bigs), arrayLiteral(reals), arrayLiteral(bools)],
    );
    expect(res.rows.map((r) => r.i)).toEqual(ints);
    expect(res.rows.map((r) => (r.b === null ? null : BigInt(r.b)))).toEqual(
      bigs.map((b) => (b === null ? null : BigInt(b))),
    );
    expect(res.rows.map((r) => r.r)).toEqual(reals);
    expect(res.rows.map((r) => r.f)).toEqual(bools);
  });

  it('refuses a NUL character as PostgreSQL text does (the write fails, nothing is cut short)', async () => {
    await expect(client.query('SELECT unnest($1::text[])', [arrayLiteral(['a\u0000b'])])).rejects.toThrow();
  });
});
