import { describe, expect, it } from 'vitest';
import { CONTRACT } from '../../../shared/contract.js';
import {
  DEFAULT_SOURCE_QUERY,
  SourceConfigSchema,
  SourceMappingSchema,
  type SourceInfo,
  type SourceTestResult,
} from '../../../shared/sources.js';
import { toCandidate } from '../../../main/engine/sources/candidates.js';
import {
  DEFAULT_QUERY,
  newSourceForm,
  sourceFormOf,
  summarizeTest,
  testRowStates,
  testSummaryText,
  toAddRequest,
  toUpdateRequest,
  validateSourceForm,
  withKind,
  type SourceForm,
} from './source-form.js';

const filled = (over: Partial<SourceForm> = {}): SourceForm => ({
  ...newSourceForm('postgres'),
  name: ' pg-cmdb ',
  server: ' db01.corp ',
  port: '6432',
  database: 'cmdb',
  user: 'vminer_reader',
  password: ' secret with spaces ',
  query: 'SELECT vc_name, fqdn, active FROM cmdb_vcenters',
  mapping: {
    name: 'vc_name',
    host: 'fqdn',
    port: '',
    username: '',
    site: ' site ',
    tags: '',
    enabled: 'active',
  },
  refreshMinutes: '30',
  timeoutSeconds: '20',
  encrypt: false,
  ...over,
});

const saved = (over: Partial<SourceInfo> = {}): SourceInfo => ({
  id: 7,
  name: 'cmdb',
  kind: 'mssql',
  config: SourceConfigSchema.parse({
    connection: { server: 'sql01', database: 'CMDB', user: 'CORP\\svc', auth: 'ntlm' },
    mapping: { name: 'vc', site: 'site' },
  }),
  refreshMinutes: 15,
  enabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastRefreshAt: null,
  lastSuccessAt: null,
  lastError: null,
  lastRowCount: null,
  vcenters: 0,
  retired: 0,
  nextRefreshAt: null,
  warnings: [],
  ...over,
});

describe('the SQL source form', () => {
  it('starts from the engine’s own defaults', () => {
    expect(DEFAULT_QUERY).toBe(DEFAULT_SOURCE_QUERY);
    const f = newSourceForm();
    expect([f.kind, f.port, f.auth, f.encrypt, f.certCheck, f.trustCaValid, f.enabled]).toEqual([
      'mssql',
      '1433',
      'sql',
      true,
      'system',
      false,
      true,
    ]);
    expect(Number(f.maxRows)).toBe(SourceConfigSchema.shape.maxRows.parse(undefined));
    const defaults = SourceMappingSchema.parse({});
    for (const [k, v] of Object.entries(f.mapping))
      expect(v || null, k).toBe(defaults[k as keyof typeof defaults]);
    expect(Number(f.refreshMinutes)).toBe(CONTRACT['sources.add'].args.shape.refreshMinutes.parse(undefined));
    expect(Number(f.timeoutSeconds)).toBe(SourceConfigSchema.shape.timeoutSeconds.parse(undefined));
  });

  it('switching the kind moves a default port, keeps a hand-typed one, and drops the Windows login', () => {
    const pg = withKind({ ...newSourceForm('mssql'), auth: 'ntlm' }, 'postgres');
    expect([pg.port, pg.auth]).toEqual(['5432', 'sql']);
    expect(withKind(pg, 'mssql').port).toBe('1433');
    expect(withKind({ ...pg, port: '6432' }, 'mssql').port).toBe('6432');
    expect(withKind({ ...pg, port: ' ' }, 'mssql').port).toBe('1433');
  });

  it('says what is wrong, field by field', () => {
    expect(validateSourceForm(filled(), 'add')).toEqual({});
    const e = validateSourceForm(
      {
        ...newSourceForm('mssql'),
        server: 'sql01:1433',
        port: '70000',
        auth: 'ntlm',
        user: 'svc-vminer',
        query: '  ',
        mapping: { ...newSourceForm().mapping, host: '' },
        refreshMinutes: '0',
        timeoutSeconds: '1.5',
      },
      'add',
    );
    expect(e).toEqual({
      name: 'Give the source a name.',
      server: 'Put the port in the Port field.',
      port: 'A port from 1 to 65535 (blank: the default).',
      database: 'The database that holds the vCenter table.',
      user: 'A Windows account is written DOMAIN\\user.',
      password: 'The database password.',
      query: 'The SELECT that lists the vCenters.',
      'mapping.host': 'Which column holds it.',
      refreshMinutes: 'Whole minutes from 1 to 10080 (a week).',
      timeoutSeconds: 'Whole seconds from 1 to 600.',
    });
    expect(validateSourceForm(filled({ server: 'https://db01' }), 'add').server).toBe(
      'A host name, not a URL.',
    );
    expect(validateSourceForm(filled({ refreshMinutes: '10081' }), 'add').refreshMinutes).toBeDefined();
    expect(validateSourceForm(filled({ name: 'x'.repeat(101) }), 'add').name).toBe('At most 100 characters.');
    // A Windows login is SQL Server's: PostgreSQL ignores a leftover choice.
    expect(validateSourceForm(filled({ auth: 'ntlm', user: 'plain' }), 'add').user).toBeUndefined();
    // On edit a blank password keeps the stored one.
    expect(validateSourceForm(filled({ password: '' }), 'edit')).toEqual({});
    expect(validateSourceForm(filled({ port: '' }), 'add')).toEqual({});
  });

  it('whatever it accepts, the contract accepts: every valid form maps to a request the schemas parse', () => {
    const forms = [
      filled(),
      filled({ port: '' }),
      withKind(filled({ auth: 'ntlm', user: 'CORP\\svc' }), 'mssql'),
      { ...withKind(filled(), 'mssql'), auth: 'ntlm' as const, user: 'CORP\\svc' },
      filled({ refreshMinutes: '10080', timeoutSeconds: '600', name: 'n'.repeat(100) }),
    ];
    for (const f of forms) {
      expect(validateSourceForm(f, 'add')).toEqual({});
      const add = CONTRACT['sources.add'].args.safeParse(toAddRequest(f));
      expect(add.success, JSON.stringify(add.error?.issues)).toBe(true);
      const upd = CONTRACT['sources.update'].args.safeParse(toUpdateRequest(3, f));
      expect(upd.success, JSON.stringify(upd.error?.issues)).toBe(true);
    }
  });

  it('maps a form to sources.add exactly, trimmed, blank mapping columns as null, the password untouched', () => {
    expect(toAddRequest(filled())).toEqual({
      name: 'pg-cmdb',
      kind: 'postgres',
      connection: {
        server: 'db01.corp',
        port: 6432,
        database: 'cmdb',
        auth: 'sql',
        user: 'vminer_reader',
        encrypt: false,
        trustServerCertificate: false,
        caPem: null,
        thumbprint: null,
      },
      password: ' secret with spaces ',
      query: 'SELECT vc_name, fqdn, active FROM cmdb_vcenters',
      mapping: {
        name: 'vc_name',
        host: 'fqdn',
        port: null,
        username: null,
        site: 'site',
        tags: null,
        enabled: 'active',
      },
      timeoutSeconds: 20,
      maxRows: 10_000,
      trustCaValid: false,
      refreshMinutes: 30,
      enabled: true,
    });
    // A blank port is the kind's default, sent explicitly.
    expect(toAddRequest(filled({ port: '' })).connection.port).toBe(5432);
  });

  it('maps an edit to sources.update: no kind, the password only when typed', () => {
    const u = toUpdateRequest(9, filled({ password: '' }));
    expect(u.id).toBe(9);
    expect('kind' in u).toBe(false);
    expect('password' in u).toBe(false);
    expect(toUpdateRequest(9, filled({ password: 'new' })).password).toBe('new');
    expect(u.refreshMinutes).toBe(30);
    // Every mapping field is sent, so a column cleared in the form is cleared in the engine's merge.
    expect(Object.keys(u.mapping!).sort()).toEqual(
      ['enabled', 'host', 'name', 'port', 'site', 'tags', 'username'].sort(),
    );
  });

  it('prefills an edit from a saved source, without the password, and round-trips', () => {
    const s = saved();
    const f = sourceFormOf(s);
    expect(f).toMatchObject({
      name: 'cmdb',
      kind: 'mssql',
      server: 'sql01',
      port: '1433',
      auth: 'ntlm',
      user: 'CORP\\svc',
      password: '',
      encrypt: true,
      refreshMinutes: '15',
      timeoutSeconds: '30',
      enabled: false,
      query: DEFAULT_SOURCE_QUERY,
    });
    expect(f.mapping).toEqual({
      name: 'vc',
      host: 'host',
      port: 'port',
      username: '',
      site: 'site',
      tags: '',
      enabled: '',
    });
    expect(validateSourceForm(f, 'edit')).toEqual({});
    // Saving the untouched form changes nothing but the now explicit default port.
    const req = CONTRACT['sources.update'].args.parse(toUpdateRequest(s.id, f));
    const merged = SourceConfigSchema.parse({
      connection: { ...s.config.connection, ...req.connection },
      query: req.query,
      mapping: { ...s.config.mapping, ...req.mapping },
      timeoutSeconds: req.timeoutSeconds,
      maxRows: req.maxRows,
      trustCaValid: req.trustCaValid,
    });
    expect(merged).toEqual({ ...s.config, connection: { ...s.config.connection, port: 1433 } });
  });
});

describe('the certificate check of the SQL source form', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  const HEX = 'ab'.repeat(32);

  it('sends exactly one way of checking, and none without encryption', () => {
    const conn = (over: Partial<SourceForm>) => toAddRequest(filled({ encrypt: true, ...over })).connection;
    expect(conn({ certCheck: 'system' })).toMatchObject({
      trustServerCertificate: false,
      caPem: null,
      thumbprint: null,
    });
    expect(conn({ certCheck: 'ca', caPem: ` ${PEM}\n`, thumbprint: HEX })).toMatchObject({
      trustServerCertificate: false,
      caPem: PEM,
      thumbprint: null,
    });
    expect(conn({ certCheck: 'thumbprint', thumbprint: ` ${HEX} `, caPem: PEM })).toMatchObject({
      caPem: null,
      thumbprint: HEX,
    });
    expect(conn({ certCheck: 'none' })).toMatchObject({
      trustServerCertificate: true,
      caPem: null,
      thumbprint: null,
    });
    expect(
      toAddRequest(filled({ encrypt: false, certCheck: 'thumbprint', thumbprint: HEX })).connection,
    ).toMatchObject({
      trustServerCertificate: false,
      thumbprint: null,
    });
  });

  it('checks the CA, the thumbprint and the row cap, and round-trips a pinned source', () => {
    const e = validateSourceForm(
      filled({ encrypt: true, certCheck: 'ca', caPem: 'nope', maxRows: '0' }),
      'add',
    );
    expect(Object.keys(e).sort()).toEqual(['caPem', 'maxRows']);
    expect(
      validateSourceForm(filled({ encrypt: true, certCheck: 'thumbprint', thumbprint: 'ab:cd' }), 'add'),
    ).toHaveProperty('thumbprint');
    expect(
      validateSourceForm(
        filled({ encrypt: true, certCheck: 'thumbprint', thumbprint: `sha256 Fingerprint=${HEX}` }),
        'add',
      ),
    ).toEqual({});
    const s = saved({
      config: SourceConfigSchema.parse({
        connection: { server: 'sql01', database: 'CMDB', user: 'u', thumbprint: HEX.toUpperCase() },
        maxRows: 500,
        trustCaValid: true,
      }),
    });
    const f = sourceFormOf(s);
    expect([f.certCheck, f.thumbprint, f.maxRows, f.trustCaValid]).toEqual([
      'thumbprint',
      HEX.toUpperCase(),
      '500',
      true,
    ]);
    const req = CONTRACT['sources.update'].args.parse(toUpdateRequest(s.id, f));
    expect(req).toMatchObject({
      maxRows: 500,
      trustCaValid: true,
      connection: { thumbprint: HEX.toUpperCase() },
    });
  });
});

describe('what a test says', () => {
  const result = (over: Partial<SourceTestResult> = {}): SourceTestResult => ({
    columns: ['vc_name', 'fqdn', 'Active'],
    rows: [
      { vc_name: 'a', fqdn: 'a.corp', Active: true },
      { vc_name: 'b', fqdn: 'b.corp', Active: false },
      { vc_name: 'c', fqdn: '', Active: 1 },
      { vc_name: 'd', fqdn: 'd.corp', Active: 'no' },
    ],
    mapped: [
      { name: 'a', url: 'https://a.corp/sdk', problem: null },
      { name: 'b', url: 'https://b.corp/sdk', problem: null },
      { name: 'c', url: null, problem: 'no host' },
      { name: 'd', url: 'https://d.corp/sdk', problem: null },
    ],
    totalRows: 4,
    overCap: false,
    ...over,
  });

  it('counts vCenters, rows the enabled column leaves out, and rows with a problem', () => {
    expect(testRowStates(result(), 'active')).toEqual(['vcenter', 'not-listed', 'problem', 'not-listed']);
    const s = summarizeTest(result(), 'active');
    expect(s).toEqual({ rows: 4, overCap: false, shown: 4, vcenters: 1, notListed: 2, problems: 1 });
    expect(testSummaryText(s)).toBe(
      'The query returned 4 rows: 1 vCenter, 2 not listed (enabled column), 1 row with a problem.',
    );
    expect(summarizeTest(result(), null).vcenters).toBe(3);
    expect(testSummaryText(summarizeTest(result({ totalRows: 250 }), null))).toBe(
      'The query returned 250 rows (of the first 4: 3 vCenters, 1 row with a problem).',
    );
    expect(testSummaryText(summarizeTest(result({ rows: [], mapped: [], totalRows: 0 }), null))).toBe(
      'The query returned no rows: a refresh would find no vCenters.',
    );
    expect(testSummaryText(summarizeTest(result({ totalRows: 10_000, overCap: true }), null))).toMatch(
      /^The query returned more than 10000 rows, the source’s row cap: a refresh would fail/,
    );
  });

  it('reads the enabled column the way a refresh does', () => {
    for (const v of [true, false, 0, 1, 'no', 'N', ' off ', 'disabled', 'inactive', 'yes', '', null]) {
      const engine = toCandidate({
        name: 'a',
        host: 'a.corp',
        port: '',
        username: '',
        site: '',
        tags: '',
        enabled: v === null ? '' : String(v),
      });
      const s = summarizeTest(
        result({
          rows: [{ vc_name: 'a', fqdn: 'a.corp', Active: v }],
          mapped: [{ name: 'a', url: 'https://a.corp/sdk', problem: null }],
          totalRows: 1,
        }),
        'active',
      );
      expect(s.vcenters === 1, String(v)).toBe(engine.ok && engine.value.enabled);
    }
  });
});
