import { describe, expect, it } from 'vitest';
import type { ListRequest } from '../../shared/contract.js';
import { PgListPages } from './list-pages-pg.js';
import type { PgQueryBackend } from './query/pg-backend.js';
import type { SqlQuery } from './query/sql-dialect.js';

/**
 * PgListPages' remembered pages, without a PostgreSQL: a backend that counts its statements and
 * answers each with rows in the shape the planner selects (the row's JSON, then its sort keys). The answers
 * themselves are compared with SQLite's in list-pages-pg.integration.test.ts.
 */
function fakeBackend(): {
  backend: PgQueryBackend;
  statements: SqlQuery[];
  annotation: { value: string };
  gate: { wait?: Promise<void> };
} {
  const statements: SqlQuery[] = [];
  const annotation = { value: 'before' };
  const gate: { wait?: Promise<void> } = {};
  const backend = {
    arrays: async (q: SqlQuery) => {
      statements.push(q);
      const text = annotation.value;
      if (gate.wait) await gate.wait;
      return [[JSON.stringify({ name: 'vm-1', annotation: text }), 'vm-1', 1, 'vm-1']];
    },
  } as unknown as PgQueryBackend;
  return { backend, statements, annotation, gate };
}

const count = { countOfAsync: async () => 1 };
const req = (limit = 10): ListRequest => ({ entity: 'vms', limit });
const text = (b: Buffer): string => b.toString('utf8');

describe('PgListPages.json', () => {
  it('remembers a page until changed() (the inventory changed)', async () => {
    const { backend, statements, annotation } = fakeBackend();
    const lists = new PgListPages(backend, count);
    const first = await lists.json(req());
    expect(JSON.parse(text(first.body))).toEqual({
      items: [{ name: 'vm-1', annotation: 'before' }],
      total: 1,
      nextCursor: null,
    });
    expect((await lists.json(req())).body).toBe(first.body);
    expect(statements).toHaveLength(1);
    // Another request is another page.
    await lists.json(req(20));
    expect(statements).toHaveLength(2);

    annotation.value = 'after';
    lists.changed();
    const after = await lists.json(req());
    expect(statements).toHaveLength(3);
    expect(text(after.body)).toContain('"annotation":"after"');
    expect(text(after.body)).toBe(text((await lists.build(req())).body));
  });

  it('builds a page asked for by many clients at once one time', async () => {
    const { backend, statements, gate } = fakeBackend();
    let open!: () => void;
    gate.wait = new Promise((resolve) => (open = resolve));
    const lists = new PgListPages(backend, count);
    const asked = Array.from({ length: 10 }, () => lists.json(req()));
    await new Promise((resolve) => setImmediate(resolve));
    open();
    const pages = await Promise.all(asked);
    expect(statements).toHaveLength(1);
    for (const p of pages) expect(p.body).toBe(pages[0]!.body);
  });

  it('does not remember a page whose build overlapped a change', async () => {
    const { backend, statements, annotation, gate } = fakeBackend();
    let open!: () => void;
    gate.wait = new Promise((resolve) => (open = resolve));
    const lists = new PgListPages(backend, count);
    const during = lists.json(req());
    await new Promise((resolve) => setImmediate(resolve));
    annotation.value = 'after';
    lists.changed();
    open();
    expect(text((await during).body)).toContain('"annotation":"before"');
    gate.wait = undefined;
    expect(text((await lists.json(req())).body)).toContain('"annotation":"after"');
    expect(statements).toHaveLength(2);
  });

  it('remembers nothing while the notification listener is away (fresh() false)', async () => {
    const { backend, statements } = fakeBackend();
    let listening = false;
    const lists = new PgListPages(backend, count, () => listening);
    await lists.json(req());
    await lists.json(req());
    expect(statements).toHaveLength(2);
    listening = true;
    await lists.json(req());
    await lists.json(req());
    expect(statements).toHaveLength(3);
  });
});
