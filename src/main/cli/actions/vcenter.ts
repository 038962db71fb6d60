import { VminerError, toErrorInfo } from '../../../shared/errors.js';
import { checkVcenterName } from '../../../shared/vcenter-input.js';
import { VcenterRepo } from '../../engine/db/vcenter-repo.js';
import { showInterrupted } from '../../engine/sync/interrupted.js';
import { probeVcenter, normalizeVcenterUrl, type ProbeResult } from '../../engine/vsphere/probe.js';
import { SoapClient } from '../../engine/vsphere/soap-client.js';
import { normalizeThumbprint } from '../../engine/vsphere/thumbprint.js';
import type { TrustPolicy } from '../../engine/vsphere/transport.js';
import type { CommonOptions, OutputOptions } from '../options.js';
import { emit } from '../output.js';
import { readCaFile, readPassword, warn, withDatabase, withEngine } from '../session.js';

function describeProbe(p: ProbeResult): string {
  const c = p.certificate;
  const lines = [
    `URL:          ${p.url}`,
    `Product:      ${p.about ? `${p.about.fullName} (API ${p.about.apiVersion})` : `unknown (${p.aboutError?.message ?? ''})`}`,
    ...(p.about ? [`Instance:     ${p.about.instanceUuid}`] : []),
    `Subject:      ${c.subject}`,
    `Issuer:       ${c.issuer}`,
    `Valid:        ${c.validFrom} → ${c.validTo}`,
    `SHA-256:      ${c.thumbprintSha256}`,
    `Trusted:      ${c.trustedByCa ? 'yes, by a known CA' : `no (${c.caError ?? 'not signed by a known CA'})`}`,
  ];
  return lines.join('\n') + '\n';
}

interface AddOptions extends CommonOptions {
  url: string;
  user?: string;
  serviceAccount?: string | true;
  site?: string;
  tags?: string;
  passwordStdin?: boolean;
  thumbprint?: string;
  trustPresentedCert?: boolean;
  caFile?: string;
  skipCheck?: boolean;
}

/** Checks a new vCenter before it is saved: unreachable is a warning, a wrong password or an untrusted certificate is an error. */
async function checkNewVcenter(
  url: string,
  trust: TrustPolicy,
  user: string,
  password: string,
): Promise<string | null> {
  const client = new SoapClient({ url, trust, connectTimeoutMs: 10_000, callTimeoutMs: 30_000 });
  try {
    const sc = await client.retrieveServiceContent();
    await client.login(user, password);
    await client.logout();
    return sc.about.fullName;
  } catch (err) {
    client.destroy();
    const info = toErrorInfo(err);
    if (['DNS', 'REFUSED', 'UNREACHABLE', 'TIMEOUT'].includes(info.code)) {
      warn(`${info.message}; registered anyway — the next sync will report its state`);
      return null;
    }
    throw err;
  }
}

export async function probe(url: string, opts: CommonOptions & { caFile?: string }): Promise<void> {
  const result = await probeVcenter(url, { caPem: opts.caFile ? readCaFile(opts.caFile) : undefined });
  emit(opts, result, describeProbe);
}

export async function add(rawName: string, opts: AddOptions): Promise<void> {
  // Checked before anything else (a probe, a password prompt): the same checks as every other way in.
  const name = checkVcenterName(rawName);
  const url = normalizeVcenterUrl(opts.url);
  if ([opts.thumbprint, opts.trustPresentedCert, opts.caFile].filter(Boolean).length > 1) {
    throw new VminerError(
      'INVALID_INPUT',
      'choose one of --thumbprint, --trust-presented-cert and --ca-file',
    );
  }
  let thumbprint: string | null = opts.thumbprint ? normalizeThumbprint(opts.thumbprint) : null;
  const caPem = opts.caFile ? readCaFile(opts.caFile) : null;
  if (opts.trustPresentedCert) {
    const probed = await probeVcenter(url);
    thumbprint = probed.certificate.thumbprintSha256;
    process.stderr.write(`Pinning the certificate ${name} presents:\n${describeProbe(probed)}`);
  }
  if (!opts.user === !opts.serviceAccount)
    throw new VminerError('INVALID_INPUT', 'give either --user USER or --service-account [NAME]');
  const password = opts.user
    ? await readPassword(opts, `Password for ${opts.user} at ${new URL(url).host}:`)
    : undefined;
  const trust: TrustPolicy = thumbprint
    ? { kind: 'thumbprint', sha256: thumbprint }
    : { kind: 'ca', extraCaPem: caPem ?? undefined };
  await withEngine(opts, 'vminer vcenter add', async (engine, call) => {
    const accountId =
      typeof opts.serviceAccount === 'string' ? engine.accounts.resolve(opts.serviceAccount).id : null;
    const login = opts.serviceAccount
      ? engine.credentialsFor({
          id: 0,
          name,
          username: '',
          credential: { kind: 'service', accountId, account: null },
          source: null,
          awaitingCertReview: false,
        })
      : { user: opts.user ?? '', password: password ?? '' };
    const product = opts.skipCheck ? null : await checkNewVcenter(url, trust, login.user, login.password);
    // Saved by the contract's handler, as over REST and IPC: the same checks, then the after-write step.
    const info = await call('vcenters.add', {
      name,
      url,
      ...(opts.serviceAccount
        ? { credential: { kind: 'service', accountId } }
        : { username: opts.user ?? '', password: password ?? '' }),
      ...(thumbprint ? { thumbprint } : {}),
      ...(caPem ? { caPem } : {}),
      ...(opts.site !== undefined ? { site: opts.site } : {}),
      tags: (opts.tags ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    });
    emit(
      opts,
      info,
      () =>
        `Added ${name} (${url})${product ? ` — ${product}` : ''}; credentials stored in the ${engine.vault.backend} vault.`,
    );
  });
}

export async function list(opts: OutputOptions): Promise<void> {
  await withDatabase(opts, (db, dataDir) => {
    emit(opts, showInterrupted(new VcenterRepo(db.db).list(), dataDir), (vcenters) => ({
      rows: vcenters.map((v) => ({
        ...v,
        status: v.sync.status.replace('_', ' '),
        lastSuccess: v.sync.lastSuccessAt ?? 'never',
        trust: v.thumbprint
          ? `pinned ${v.thumbprint.slice(0, 11)}…`
          : v.hasCustomCa
            ? 'private CA'
            : 'system CAs',
        login:
          v.credential.kind === 'own'
            ? v.username
            : `${v.credential.account ?? '(no default account)'}${v.credential.accountId === null ? ' (default)' : ''}`,
        source: v.source?.name ?? 'local',
        error: v.sync.error?.message ?? v.sync.detail ?? '',
      })),
      columns: ['id', 'name', 'url', 'login', 'source', 'trust', 'status', 'lastSuccess', 'error'],
    }));
  });
}

export async function importFile(file: string, opts: OutputOptions & { apply?: boolean }): Promise<void> {
  await withEngine(opts, 'vminer vcenter import', async (_engine, call) => {
    const result = opts.apply
      ? await call('import.applyFile', { path: file })
      : await call('import.previewFile', { path: file });
    const c = result.counts;
    emit(opts, result, (r) => ({
      rows: r.items.map((i) => ({ ...i, tags: i.tags.join(', ') })),
      columns: ['line', 'action', 'name', 'url', 'login', 'reason'],
      after: opts.apply
        ? `Imported: ${c.add} added, ${c.update} updated, ${c.skip} skipped.${c.add ? ' Review the new certificates: vminer vcenter trust' : ''}`
        : `Preview: ${c.add} to add, ${c.update} to update, ${c.skip} skipped. Nothing was changed; run again with --apply to import.`,
    }));
  });
}

export async function trust(names: string[], opts: OutputOptions & { accept?: boolean }): Promise<void> {
  await withEngine(opts, 'vminer vcenter trust', async (engine, call) => {
    const ids = names.length ? names.map((n) => engine.vcenters.resolve(n).id) : undefined;
    const items = await call('certs.review', { vcenterIds: ids });
    const toPin = items.filter((i) => (i.state === 'new' || i.state === 'changed') && i.thumbprint);
    // Nothing to pin is not a request to make (the contract wants at least one).
    const trusted =
      opts.accept && toPin.length > 0
        ? (
            await call('certs.trust', {
              items: toPin.map((i) => ({ vcenterId: i.vcenterId, thumbprint: i.thumbprint! })),
            })
          ).trusted
        : [];
    emit(opts, { items, trusted }, () => ({
      rows: items.map((i) => ({
        ...i,
        state: i.state === 'changed' ? 'certificate changed' : i.state,
        presented: i.thumbprint ?? i.error ?? '',
        was: i.pinned ?? '',
      })),
      columns: ['name', 'state', 'presented', 'was', 'subject', 'validTo'],
      after:
        items.length === 0
          ? 'No certificate waits for review.'
          : opts.accept
            ? `Pinned ${trusted.length} certificate(s).`
            : toPin.length
              ? `${toPin.length} to review; compare the thumbprints with the vCenters' own (e.g. on their consoles), then run again with --accept.`
              : 'Nothing to pin.',
    }));
  });
}

export async function remove(name: string, opts: CommonOptions): Promise<void> {
  await withEngine(opts, 'vminer vcenter remove', async (engine, call) => {
    const v = engine.vcenters.resolve(name);
    await call('vcenters.remove', { id: v.id });
    process.stdout.write(`Removed ${v.name}.\n`);
  });
}

export async function setPassword(
  name: string,
  opts: CommonOptions & { passwordStdin?: boolean },
): Promise<void> {
  await withEngine(opts, 'vminer vcenter set-password', async (engine, call) => {
    const v = engine.vcenters.resolve(name);
    const password = await readPassword(opts, `Password for ${v.username}:`);
    await call('vcenters.update', { id: v.id, password });
    process.stdout.write(`Password for ${v.name} updated.\n`);
  });
}
