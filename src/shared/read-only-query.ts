/**
 * A SQL source's query must be one read-only SELECT: vMiner reads the vCenter list, it never
 * changes the CMDB. This is a first, explainable check (the engine also runs the query in a
 * read-only transaction where the driver allows, which catches what text cannot show).
 */

/** Words that write, change the schema or the session, run code, or reach other servers. */
const WRITES = [
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'UPSERT',
  'REPLACE',
  'DROP',
  'ALTER',
  'CREATE',
  'TRUNCATE',
  'RENAME',
  'GRANT',
  'REVOKE',
  'DENY',
  'EXEC',
  'EXECUTE',
  'CALL',
  'DO',
  'COPY',
  'INTO',
  'LOCK',
  'VACUUM',
  'ANALYZE',
  'REINDEX',
  'CLUSTER',
  'COMMENT',
  'REFRESH',
  'NOTIFY',
  'LISTEN',
  'SET',
  'RESET',
  'DECLARE',
  'BULK',
  'OPENROWSET',
  'OPENQUERY',
  'OPENDATASOURCE',
  'SHUTDOWN',
  'KILL',
  'BACKUP',
  'RESTORE',
  'DBCC',
  'WAITFOR',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'SAVEPOINT',
  'PREPARE',
  'DEALLOCATE',
];
const WRITE_SET = new Set(WRITES);

/** The query with comments removed and literals and quoted names blanked, so only keywords remain. */
function skeleton(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const two = sql.slice(i, i + 2);
    if (two === '--') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += ' ';
    } else if (two === '/*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += ' ';
    } else if (c === "'" || c === '"' || c === '[' || c === '`') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === close) {
          if (sql[j + 1] === close)
            j++; // a doubled quote is a quote
          else break;
        }
      }
      i = j + 1;
      out += c === "'" ? " '' " : ' x ';
    } else if (c === '$') {
      // PostgreSQL dollar quoting: $tag$ … $tag$
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? sql.length : end + tag.length;
        out += " '' ";
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Why the query is not one read-only SELECT (in words a person can act on), or null when it is. */
export function readOnlyQueryProblem(sql: string): string | null {
  const s = skeleton(sql).trim().replace(/;\s*$/, '').trim();
  if (!s) return 'The query is empty: write the SELECT that lists the vCenters.';
  if (s.includes(';')) return 'The query must be a single statement: remove everything after the first “;”.';
  const words = s.toUpperCase().match(/[A-Z_][A-Z0-9_]*/g) ?? [];
  const first = words[0];
  if (first !== 'SELECT' && first !== 'WITH')
    return `The query must be a read-only SELECT (or WITH … SELECT); it starts with “${first ?? s.slice(0, 20)}”, which is not a read. vMiner only reads the vCenter list, e.g. SELECT name, host FROM vcenters.`;
  const bad = words.find((w) => WRITE_SET.has(w));
  if (bad)
    return `The query must only read, but it contains “${bad}”${bad === 'INTO' ? ' (SELECT … INTO writes a table)' : ''}. vMiner only reads the vCenter list, e.g. SELECT name, host FROM vcenters.`;
  return null;
}
