import { describe, expect, it } from 'vitest';
import type { QueryPlan } from '../../../shared/query.js';
import type { PgQueryBackend } from './pg-backend.js';
import { QueryService } from './query-service.js';
import type { SqlQuery } from './sql-dialect.js';

/**
 * What a QueryService on PostgreSQL waits for, without a PostgreSQL: a backend whose name snapshot
 * never finishes loading (as after an inventory change, when it reloads every VM's name). Counts
 * (every list page asks one) and freshness parse no question: they must not wait for it. The
 * answers themselves are compared with SQLite's in pg-parity.integration.test.ts.
 */
function backend(): { backend: PgQueryBackend; statements: SqlQuery[]; loads: { n: number } } {
  const statements: SqlQuery[] = [];
  const loads = { n: 0 };
  const fake = {
    names: {
      ready: () => {
        loads.n++;
        return new Promise<void>(() => undefined);
      },
      invalidate: () => undefined,
    },
    all: async (q: SqlQuery) => {
      statements.push(q);
      return /count\(/i.test(q.sql) ? [{ n: 42 }] : [];
    },
  };
  return { backend: fake as unknown as PgQueryBackend, statements, loads };
}

describe('QueryService on PostgreSQL: readings that parse no question', () => {
  it('counts without waiting for the name snapshot, and remembers the total until invalidate()', async () => {
    const { backend: pg, statements, loads } = backend();
    const service = new QueryService({ postgres: pg });
    const plan: QueryPlan = { entity: 'vms', filter: { kind: 'cmp', field: 'numCpu', op: 'gte', value: 8 } };
    expect(await service.countOfAsync(plan)).toBe(42);
    expect(await service.countOfAsync(plan)).toBe(42);
    expect(statements).toHaveLength(1);
    service.invalidate();
    expect(await service.countOfAsync(plan)).toBe(42);
    expect(statements).toHaveLength(2);
    expect(loads.n).toBe(0);
  }, 5000);

  it('reads freshness without waiting for the name snapshot', async () => {
    const { backend: pg, loads } = backend();
    const service = new QueryService({ postgres: pg });
    expect(await service.freshnessAsync(undefined)).toBeDefined();
    expect(loads.n).toBe(0);
  }, 5000);

  it('still loads the snapshot before parsing a question', async () => {
    const { backend: pg, loads } = backend();
    const service = new QueryService({ postgres: pg });
    const asked = service.askAsync({ question: 'how many vms' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(loads.n).toBe(1);
    void asked;
  });
});
