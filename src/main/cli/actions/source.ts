import type { RequestArgs } from '../../../shared/contract.js';
import { VminerError } from '../../../shared/errors.js';
import { SOURCE_KINDS, type SourceKind } from '../../../shared/source-kinds.js';
import type { SourceInfo, SourceRefreshResult } from '../../../shared/sources.js';
import { EXIT } from '../exit-codes.js';
import type { CommonOptions, OutputOptions } from '../options.js';
import { emit } from '../output.js';
import { readCaFile, readPassword, withEngine } from '../session.js';

interface SourceOptions extends CommonOptions {
  kind: string;
  server: string;
  port?: string;
  database: string;
  user: string;
  auth?: string;
  encrypt?: boolean;
  trustServerCertificate?: boolean;
  query?: string;
  map?: string[];
  refreshMinutes?: string;
  passwordStdin?: boolean;
  caFile?: string;
  thumbprint?: string;
  maxRows?: string;
  trustCaValid?: boolean;
}

interface EditOptions extends Omit<SourceOptions, 'kind' | 'server' | 'database' | 'user'> {
  server?: string;
  database?: string;
  user?: string;
  systemCas?: boolean;
  enable?: boolean;
}

/** Warnings about a source's settings, on stderr (where the CLI says what deserves a second look). */
function warnAbout(info: SourceInfo): void {
  for (const w of info.warnings) process.stderr.write(`warning: ${info.name}: ${w}\n`);
}

/** `--map host=fqdn --map site=location` → a partial column mapping. */
function parseMapping(pairs: string[] | undefined): Record<string, string | null> {
  const fields = ['name', 'host', 'port', 'username', 'site', 'tags', 'enabled'];
  const out: Record<string, string | null> = {};
  for (const p of pairs ?? []) {
    const m = /^([a-z]+)=(.*)$/.exec(p);
    if (!m || !fields.includes(m[1]!))
      throw new VminerError(
        'INVALID_INPUT',
        `--map ${p}: write FIELD=COLUMN, FIELD one of ${fields.join(', ')}`,
      );
    out[m[1]!] = m[2] ? m[2] : null;
  }
  return out;
}

function refreshText(name: string, r: SourceRefreshResult): string {
  if (!r.ok) return `${name}: refresh failed, the last good list is kept — ${r.error?.message ?? ''}`;
  const list = (label: string, xs: string[]): string => (xs.length ? `\n  ${label}: ${xs.join(', ')}` : '');
  return (
    `${name}: ${r.rows} rows; ${r.added.length} added, ${r.updated.length} updated, ${r.retired.length} retired, ${r.restored.length} restored, ${r.skipped.length} skipped` +
    list('added', r.added) +
    list('retired', r.retired) +
    list('restored', r.restored) +
    list(
      'skipped',
      r.skipped.map((s) => `${s.name} (${s.reason})`),
    ) +
    (r.added.length
      ? '\n  the new vCenters get no password until their certificates are reviewed: vminer vcenter trust'
      : '')
  );
}

export async function add(name: string, opts: SourceOptions): Promise<void> {
  if (!SOURCE_KINDS.includes(opts.kind as SourceKind))
    throw new VminerError('INVALID_INPUT', `--kind must be ${SOURCE_KINDS.join(' or ')}`);
  const password = await readPassword(opts, `Password for ${opts.user} on ${opts.server}:`);
  await withEngine(opts, 'vminer source add', async (_engine, call) => {
    // Strings from the command line: the contract's schema checks them, exactly as over IPC or REST.
    const args = {
      name,
      kind: opts.kind,
      connection: {
        server: opts.server,
        ...(opts.port ? { port: Number(opts.port) } : {}),
        database: opts.database,
        user: opts.user,
        auth: opts.auth ?? 'sql',
        encrypt: opts.encrypt !== false,
        trustServerCertificate: opts.trustServerCertificate ?? false,
        caPem: opts.caFile ? readCaFile(opts.caFile) : null,
        thumbprint: opts.thumbprint ?? null,
      },
      password,
      ...(opts.query ? { query: opts.query } : {}),
      mapping: parseMapping(opts.map),
      ...(opts.refreshMinutes ? { refreshMinutes: Number(opts.refreshMinutes) } : {}),
      ...(opts.maxRows ? { maxRows: Number(opts.maxRows) } : {}),
      ...(opts.trustCaValid ? { trustCaValid: true } : {}),
    } as RequestArgs<'sources.add'>;
    const info = await call('sources.add', args);
    warnAbout(info);
    emit(
      opts,
      info,
      (s) =>
        `Added source ${s.name} (${s.kind}, refreshed every ${s.refreshMinutes} min). Try it: vminer source test ${s.name}`,
    );
  });
}

export async function edit(name: string, opts: EditOptions): Promise<void> {
  await withEngine(opts, 'vminer source edit', async (engine, call) => {
    const s = engine.sources.resolve(name);
    const connection: Record<string, unknown> = {};
    if (opts.server !== undefined) connection['server'] = opts.server;
    if (opts.port !== undefined) connection['port'] = Number(opts.port);
    if (opts.database !== undefined) connection['database'] = opts.database;
    if (opts.user !== undefined) connection['user'] = opts.user;
    if (opts.encrypt !== undefined) connection['encrypt'] = opts.encrypt;
    if (opts.trustServerCertificate !== undefined)
      connection['trustServerCertificate'] = opts.trustServerCertificate;
    if ([opts.caFile, opts.thumbprint, opts.systemCas].filter(Boolean).length > 1)
      throw new VminerError('INVALID_INPUT', 'choose one of --ca-file, --thumbprint and --system-cas');
    if (opts.caFile) Object.assign(connection, { caPem: readCaFile(opts.caFile), thumbprint: null });
    if (opts.thumbprint) Object.assign(connection, { thumbprint: opts.thumbprint, caPem: null });
    if (opts.systemCas) Object.assign(connection, { caPem: null, thumbprint: null });
    const mapping = opts.map ? parseMapping(opts.map) : undefined;
    const args = {
      id: s.id,
      ...(Object.keys(connection).length ? { connection } : {}),
      ...(opts.query ? { query: opts.query } : {}),
      ...(mapping ? { mapping } : {}),
      ...(opts.refreshMinutes ? { refreshMinutes: Number(opts.refreshMinutes) } : {}),
      ...(opts.maxRows ? { maxRows: Number(opts.maxRows) } : {}),
      ...(opts.trustCaValid !== undefined ? { trustCaValid: opts.trustCaValid } : {}),
      ...(opts.enable !== undefined ? { enabled: opts.enable } : {}),
    } as RequestArgs<'sources.update'>;
    const info = await call('sources.update', args);
    warnAbout(info);
    emit(opts, info, (i) => `Updated source ${i.name}.`);
  });
}

export async function list(opts: OutputOptions): Promise<void> {
  await withEngine(opts, 'vminer source list', async (_engine, call) => {
    emit(opts, await call('sources.list', {}), (sources) => ({
      rows: sources.map((s) => ({
        ...s,
        server: `${s.config.connection.server}/${s.config.connection.database}`,
        every: `${s.refreshMinutes} min`,
        last: s.lastSuccessAt ?? 'never',
        error: [s.lastError?.message, ...s.warnings.map((w) => `warning: ${w}`)].filter(Boolean).join('; '),
      })),
      columns: ['id', 'name', 'kind', 'server', 'vcenters', 'retired', 'every', 'last', 'error'],
    }));
  });
}

export async function test(name: string, opts: CommonOptions): Promise<void> {
  await withEngine(opts, 'vminer source test', async (engine, call) => {
    const r = await call('sources.test', { id: engine.sources.resolve(name).id });
    emit(opts, r, () => [
      { rows: r.rows, columns: r.columns },
      r.overCap
        ? `\nMore than ${r.totalRows} rows (the source's cap, --max-rows): a refresh would fail. The first ones as vCenters:`
        : `\n${r.totalRows} rows; as vCenters:`,
      { rows: r.mapped.map((m) => ({ ...m })), columns: ['name', 'url', 'problem'] },
    ]);
  });
}

export async function refresh(name: string, opts: CommonOptions): Promise<void> {
  await withEngine(opts, 'vminer source refresh', async (engine, call) => {
    const s = engine.sources.resolve(name);
    const r = await call('sources.refresh', { id: s.id });
    emit(opts, r, (result) => refreshText(s.name, result));
    if (!r.ok) process.exitCode = EXIT.partial;
  });
}

export async function setPassword(
  name: string,
  opts: CommonOptions & { passwordStdin?: boolean },
): Promise<void> {
  await withEngine(opts, 'vminer source set-password', async (engine, call) => {
    const s = engine.sources.resolve(name);
    const password = await readPassword(opts, `Password for ${s.config.connection.user}:`);
    await call('sources.update', { id: s.id, password });
    process.stdout.write(`Password for ${s.name} updated.\n`);
  });
}

export async function remove(
  name: string,
  opts: CommonOptions & { removeVcenters?: boolean },
): Promise<void> {
  await withEngine(opts, 'vminer source remove', async (engine, call) => {
    const s = engine.sources.resolve(name);
    const r = await call('sources.remove', { id: s.id, removeVcenters: opts.removeVcenters ?? false });
    process.stdout.write(
      `Removed ${s.name}${r.removedVcenters.length ? ` and ${r.removedVcenters.length} vCenters` : ''}.\n`,
    );
  });
}
