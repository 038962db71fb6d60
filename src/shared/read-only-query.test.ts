import { describe, expect, it } from 'vitest';
import { readOnlyQueryProblem } from './read-only-query.js';

describe('a source query is one read-only SELECT', () => {
  it('accepts reads, whatever their literals, comments and quoted names say', () => {
    for (const q of [
      'SELECT name, host, port FROM vcenters WHERE enabled = 1',
      'select vc_name, fqdn from cmdb_vcenters order by vc_name;',
      "SELECT name FROM t WHERE note = 'delete me; drop table x'",
      'SELECT [update], "insert" FROM dbo.[vCenter List] -- delete later',
      '/* exec */ WITH live AS (SELECT * FROM vcenters) SELECT name FROM live',
      'SELECT $$ drop $$ AS x',
    ])
      expect(readOnlyQueryProblem(q), q).toBeNull();
  });

  it('refuses anything that writes, with an explanation', () => {
    expect(readOnlyQueryProblem('DELETE FROM vcenters')).toMatch(/read-only SELECT .* starts with “DELETE”/);
    expect(readOnlyQueryProblem('SELECT 1; DELETE FROM vcenters')).toMatch(/single statement/);
    expect(readOnlyQueryProblem('SELECT * INTO backup FROM vcenters')).toMatch(/INTO.*writes a table/);
    expect(readOnlyQueryProblem('WITH d AS (DELETE FROM v RETURNING *) SELECT * FROM d')).toMatch(/DELETE/);
    expect(readOnlyQueryProblem('EXEC sp_who')).toMatch(/starts with “EXEC”/);
    expect(readOnlyQueryProblem('SELECT * FROM vcenters FOR UPDATE')).toMatch(/UPDATE/);
    expect(readOnlyQueryProblem('  -- nothing ')).toMatch(/empty/);
  });
});
