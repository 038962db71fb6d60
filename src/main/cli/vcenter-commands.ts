import type { Command } from 'commander';
import { VminerError, toErrorInfo } from '../../shared/errors.js';
import { checkVcenterName } from '../../shared/vcenter-input.js';
import { openDatabase } from '../engine/db/database.js';
import { VcenterRepo } from '../engine/db/vcenter-repo.js';
import { probeVcenter, normalizeVcenterUrl, type ProbeResult } from '../engine/vsphere/probe.js';
import { normalizeThumbprint } from '../engine/vsphere/thumbprint.js';
import { SoapClient } from '../engine/vsphere/soap-client.js';
import type { TrustPolicy } from '../engine/vsphere/transport.js';
import {
  dataDirOf,
  openEngine,
  readCaFile,
  readPassword,
  warn,
  withDataDir,
  withJson,
  type CommonOptions,
} from './common.js';
import { printJson, printTable } from './output.js';
import { createHandlers } from '../engine/api.js';
import { showInterrupted } from '../engine/sync/interrupted.js';

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

export function registerVcenterCommands(program: Command): void {
  const vc = program.command('vcenter').description('register, inspect and remove vCenter servers');

  withJson(withDataDir(vc.command('probe <url>')))
    .description('show what a vCenter presents before trusting it: product, version and certificate')
    .option('--ca-file <pem>', 'also check the certificate against this private CA (e.g. VMCA)')
    .action(async (url: string, opts: CommonOptions & { caFile?: string }) => {
      const result = await probeVcenter(url, { caPem: opts.caFile ? readCaFile(opts.caFile) : undefined });
      if (opts.json) printJson(result);
      else process.stdout.write(describeProbe(result));
    });

  withJson(withDataDir(vc.command('add <name>')))
    .description(
      'register a vCenter (read-only account is enough); the password goes to the credential vault',
    )
    .requiredOption('--url <url>', 'https://HOST[:PORT]/sdk')
    .option('--user <user>', 'its own account, e.g. svc-vminer@vsphere.local')
    .option('--service-account [name]', 'log in with a shared service account (default: the default account)')
    .option('--site <site>', 'site or location, for grouping')
    .option('--tags <list>', 'comma-separated tags')
    .option('--password-stdin', 'read the password from standard input')
    .option('--thumbprint <sha256>', 'pin this SHA-256 certificate thumbprint (openssl format or plain hex)')
    .option('--trust-presented-cert', 'pin the certificate the vCenter presents now (see `vcenter probe`)')
    .option('--ca-file <pem>', 'trust certificates issued by this private CA (e.g. VMCA root)')
    .option('--skip-check', 'save without connecting to the vCenter first')
    .action(async (rawName: string, opts: AddOptions) => {
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
        const probe = await probeVcenter(url);
        thumbprint = probe.certificate.thumbprintSha256;
        process.stderr.write(`Pinning the certificate ${name} presents:\n${describeProbe(probe)}`);
      }
      if (!opts.user === !opts.serviceAccount)
        throw new VminerError('INVALID_INPUT', 'give either --user USER or --service-account [NAME]');
      const password = opts.user
        ? await readPassword(opts, `Password for ${opts.user} at ${new URL(url).host}:`)
        : undefined;
      const trust: TrustPolicy = thumbprint
        ? { kind: 'thumbprint', sha256: thumbprint }
        : { kind: 'ca', extraCaPem: caPem ?? undefined };
      const engine = await openEngine(opts, 'vminer vcenter add');
      try {
        const accountId =
          typeof opts.serviceAccount === 'string' ? engine.accounts.resolve(opts.serviceAccount).id : null;
        const extra = {
          site: opts.site ?? null,
          tags: (opts.tags ?? '')
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        };
        const draft = opts.serviceAccount
          ? engine.credentialsFor({
              id: 0,
              name,
              username: '',
              credential: { kind: 'service', accountId, account: null },
              source: null,
              awaitingCertReview: false,
            })
          : { user: opts.user ?? '', password: password ?? '' };
        const product = opts.skipCheck ? null : await checkNewVcenter(url, trust, draft.user, draft.password);
        const info = engine.vcenters.add({
          name,
          url,
          username: opts.user ?? '',
          thumbprint,
          caPem,
          useServiceAccount: Boolean(opts.serviceAccount),
          serviceAccountId: accountId,
          ...extra,
        });
        if (password !== undefined) await engine.setPassword(info.id, password);
        if (opts.json) printJson(info);
        else
          process.stdout.write(
            `Added ${name} (${url})${product ? ` — ${product}` : ''}; credentials stored in the ${engine.vault.backend} vault.\n`,
          );
      } finally {
        engine.close();
      }
    });

  withJson(withDataDir(vc.command('list')))
    .description('list registered vCenters with their sync state')
    .action((opts: CommonOptions) => {
      const dataDir = dataDirOf(opts);
      const db = openDatabase(dataDir, { readonly: true });
      try {
        const list = showInterrupted(new VcenterRepo(db.db).list(), dataDir);
        if (opts.json) printJson(list);
        else
          printTable(
            list.map((v) => ({
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
            ['id', 'name', 'url', 'login', 'source', 'trust', 'status', 'lastSuccess', 'error'],
          );
      } finally {
        db.close();
      }
    });

  withJson(withDataDir(vc.command('import <file>')))
    .description(
      'import vCenters from a CSV or XLSX file (columns name, host, port, optional username, site, tags): shows what would be added, updated or skipped; --apply imports all of it or nothing',
    )
    .option('--apply', 'import now (without it, only the preview is shown)')
    .action(async (file: string, opts: CommonOptions & { apply?: boolean }) => {
      const engine = await openEngine(opts, 'vminer vcenter import');
      try {
        const h = createHandlers(engine);
        const result = opts.apply
          ? await h['import.applyFile']({ path: file })
          : await h['import.previewFile']({ path: file });
        if (opts.json) printJson(result);
        else {
          printTable(
            result.items.map((i) => ({ ...i, tags: i.tags.join(', ') })),
            ['line', 'action', 'name', 'url', 'login', 'reason'],
          );
          const c = result.counts;
          process.stdout.write(
            opts.apply
              ? `Imported: ${c.add} added, ${c.update} updated, ${c.skip} skipped.${c.add ? ' Review the new certificates: vminer vcenter trust' : ''}\n`
              : `Preview: ${c.add} to add, ${c.update} to update, ${c.skip} skipped. Nothing was changed; run again with --apply to import.\n`,
          );
        }
      } finally {
        engine.close();
      }
    });

  withJson(withDataDir(vc.command('trust [names...]')))
    .description(
      'review certificates in bulk: every new vCenter (from an import or a source) and every "certificate changed" one, with the thumbprint it presents; --accept pins them all together',
    )
    .option('--accept', 'pin each new or changed thumbprint shown (one step for all)')
    .action(async (names: string[], opts: CommonOptions & { accept?: boolean }) => {
      const engine = await openEngine(opts, 'vminer vcenter trust');
      try {
        const h = createHandlers(engine);
        const ids = names.length ? names.map((n) => engine.vcenters.resolve(n).id) : undefined;
        const items = await h['certs.review']({ vcenterIds: ids });
        const toPin = items.filter((i) => (i.state === 'new' || i.state === 'changed') && i.thumbprint);
        const trusted = opts.accept
          ? (
              await h['certs.trust']({
                items: toPin.map((i) => ({ vcenterId: i.vcenterId, thumbprint: i.thumbprint! })),
              })
            ).trusted
          : [];
        if (opts.json) printJson({ items, trusted });
        else {
          printTable(
            items.map((i) => ({
              ...i,
              state: i.state === 'changed' ? 'certificate changed' : i.state,
              presented: i.thumbprint ?? i.error ?? '',
              was: i.pinned ?? '',
            })),
            ['name', 'state', 'presented', 'was', 'subject', 'validTo'],
          );
          process.stdout.write(
            items.length === 0
              ? 'No certificate waits for review.\n'
              : opts.accept
                ? `Pinned ${trusted.length} certificate(s).\n`
                : toPin.length
                  ? `${toPin.length} to review; compare the thumbprints with the vCenters' own (e.g. on their consoles), then run again with --accept.\n`
                  : 'Nothing to pin.\n',
          );
        }
      } finally {
        engine.close();
      }
    });

  withDataDir(vc.command('remove <name>'))
    .description('remove a vCenter, its cached inventory and its stored password')
    .action(async (name: string, opts: CommonOptions) => {
      const engine = await openEngine(opts, 'vminer vcenter remove');
      try {
        const v = engine.vcenters.resolve(name);
        await engine.removeVcenter(v.id);
        process.stdout.write(`Removed ${v.name}.\n`);
      } finally {
        engine.close();
      }
    });

  withDataDir(vc.command('set-password <name>'))
    .description("replace a vCenter's stored password")
    .option('--password-stdin', 'read the password from standard input')
    .action(async (name: string, opts: CommonOptions & { passwordStdin?: boolean }) => {
      const engine = await openEngine(opts, 'vminer vcenter set-password');
      try {
        const v = engine.vcenters.resolve(name);
        const password = await readPassword(opts, `Password for ${v.username}:`);
        await engine.setPassword(v.id, password);
        process.stdout.write(`Password for ${v.name} updated.\n`);
      } finally {
        engine.close();
      }
    });
}
