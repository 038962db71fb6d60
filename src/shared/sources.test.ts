import { describe, expect, it } from 'vitest';
import { SourceAddSchema, SourceUpdateSchema } from './sources.js';

describe('SQL source schemas', () => {
  it('a change of one connection field carries only that field (no defaults filled in)', () => {
    const u = SourceUpdateSchema.parse({ id: 1, connection: { port: 1434 } });
    expect(u.connection).toEqual({ port: 1434 });
  });

  it('a new source gets the safe defaults: encrypted, certificate checked, SQL login', () => {
    const a = SourceAddSchema.parse({
      name: 'cmdb',
      kind: 'mssql',
      connection: { server: 'sql01', database: 'CMDB', user: 'reader' },
      password: 'x',
    });
    expect(a.connection).toMatchObject({ encrypt: true, trustServerCertificate: false, auth: 'sql' });
  });
});
