/**
 * The doctor on a team database (`vminer doctor --database postgres://…`, and `doctor.run` on a
 * `serve --database` instance): the database reachable and its server version, the migrations all
 * applied, pg_trgm, the collation, who leads and how fresh the lease is, the team vault opening with
 * VMINER_SECRET_KEY, the secrets each vCenter, service account and source needs, then the same
 * vCenter and SQL source checks as on a data folder (doctor/vcenter-checks.ts).
 *
 * It must work where `serve` refuses to start (a missing migration, a wrong key), so it opens what
 * it can on its own and says, check by check, what failed and what to do; it writes nothing (the
 * vault is read only when its row exists: opening a missing one would create it).
 */
import type pg from 'pg';
import { toErrorInfo, VminerError } from '../../../shared/errors.js';
import type { DoctorCheck, DoctorReport, DoctorRequest } from '../../../shared/doctor.js';
import { connectPg, pgError } from '../db/pg/connect.js';
import { check } from '../doctor/check.js';
import { dataFolder, restPort } from '../doctor/local-checks.js';
import { sourceChecks, vcenterChecks, type RegistryDeps } from '../doctor/vcenter-checks.js';
import { parseEnvKey, SECRET_KEY_ENV } from '../secrets/format.js';
import { accountVaultId } from '../sources/service-accounts.js';
import { sourceVaultId } from '../sources/source-repo.js';
import { PgServiceAccountRepo } from './config/pg-account-repo.js';
import { PgConfig } from './config/pg-config.js';
import { PgSourceRepo } from './config/pg-source-repo.js';
import { PgVcenterRepo } from './config/pg-vcenter-repo.js';
import { NotifyBus } from './notify-bus.js';
import type { PgTarget } from './pg-connection.js';
import { PgCredentialVault } from './pg-vault.js';
import { collation, leader, migrations, serverVersion, trigram } from './team-doctor-checks.js';

/** The vault as the doctor reads it: secrets by id, and which ids are stored. */
export interface VaultReader {
  get(id: string): string | undefined;
  list(): string[];
}

export interface TeamDoctorOptions {
  target: PgTarget;
  /** This instance's folder of logs (checked writable). */
  logDir: string;
  /** Where VMINER_SECRET_KEY is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The election's name (the lease row and the lock key; default 'vminer', as serve uses). */
  electionName?: string;
  /**
   * A running engine's vault and registry: used as they are (the engine opened them with its key).
   * Without them the doctor opens its own, read-only, and closes them afterwards.
   */
  engine?: { vault: VaultReader; registry: Omit<RegistryDeps, 'secret'>; instance: string };
}

/** Opens the team vault without writing: a database without its row gets none made here. */
async function openVault(
  client: pg.Client,
  target: PgTarget,
  env: NodeJS.ProcessEnv,
): Promise<{ vault: PgCredentialVault | null; check: DoctorCheck }> {
  const table = await client.query<{ t: string | null }>(`SELECT to_regclass('vault') AS t`);
  const stored =
    table.rows[0]?.t !== null &&
    (await client.query(`SELECT 1 FROM vault WHERE id = 'credentials'`)).rowCount === 1;
  if (!stored) {
    const value = env[SECRET_KEY_ENV];
    if (!value)
      return {
        vault: null,
        check: check(
          'team vault',
          'opens',
          'fail',
          `${SECRET_KEY_ENV} is not set: every instance needs the same value (64 hex characters from \`openssl rand -hex 32\`, or a passphrase of 16 or more characters) from a file only the service account reads`,
        ),
      };
    try {
      parseEnvKey(value);
    } catch (err) {
      return { vault: null, check: check('team vault', 'opens', 'fail', toErrorInfo(err).message) };
    }
    return {
      vault: null,
      check: check(
        'team vault',
        'opens',
        'warn',
        `no team vault yet: the first \`vminer serve --database\` creates it with ${SECRET_KEY_ENV} (or \`vminer db copy --with-passwords\`); no password is stored until then`,
      ),
    };
  }
  try {
    const vault = await PgCredentialVault.open({ target, env, refreshMs: 0 });
    return {
      vault,
      check: check(
        'team vault',
        'opens',
        'ok',
        `${SECRET_KEY_ENV} opens it (${vault.list().length} secrets stored)`,
      ),
    };
  } catch (err) {
    return { vault: null, check: check('team vault', 'opens', 'fail', toErrorInfo(err).message) };
  }
}

/** The passwords a sync and a source refresh would need, named by what needs them. */
export function missingSecrets(registry: Omit<RegistryDeps, 'secret'>, vault: VaultReader): DoctorCheck[] {
  const stored = new Set(vault.list());
  const out: DoctorCheck[] = [];
  const fail = (detail: string) => out.push(check('team vault', 'secrets', 'fail', detail));
  const accountUsers = new Map<number, string[]>();
  let needsDefault: string[] = [];
  for (const v of registry.vcenters.list()) {
    // A vCenter whose certificate awaits review gets no password until then (the TLS check says so).
    if (!v.enabled || v.retiredAt || v.awaitingCertReview) continue;
    const name = `vCenter ${v.name} (id ${v.id})`;
    if (v.credential.kind === 'own') {
      if (!stored.has(`vcenter:${v.id}`))
        fail(
          `${name}: no password is stored for ${v.username || 'its account'}: \`vminer vcenter set-password ${v.name}\` or the vCenters page (Edit)`,
        );
      continue;
    }
    const account =
      v.credential.accountId !== null
        ? registry.accounts.get(v.credential.accountId)
        : registry.accounts.getDefault();
    if (!account) {
      needsDefault = [...needsDefault, name];
      continue;
    }
    accountUsers.set(account.id, [...(accountUsers.get(account.id) ?? []), v.name]);
  }
  if (needsDefault.length > 0)
    fail(
      `${needsDefault.join(', ')}: log${needsDefault.length === 1 ? 's' : ''} in with the default service account, but none is set: \`vminer account add NAME --user USER --default\``,
    );
  for (const [id, users] of accountUsers) {
    if (stored.has(accountVaultId(id))) continue;
    const account = registry.accounts.get(id)!;
    fail(
      `service account ${account.name} (id ${id}), used by ${users.join(', ')}: no password is stored: \`vminer account set-password ${account.name}\``,
    );
  }
  for (const s of registry.sources.list()) {
    if (s.enabled && !stored.has(sourceVaultId(s.id)))
      fail(
        `source ${s.name} (id ${s.id}): no database password is stored: \`vminer source set-password ${s.name}\``,
      );
  }
  if (out.length === 0)
    out.push(
      check(
        'team vault',
        'secrets',
        'ok',
        'every enabled vCenter, the service accounts they use and every enabled source have their password',
      ),
    );
  return out;
}

interface OwnRegistry {
  registry: Omit<RegistryDeps, 'secret'>;
  close(): Promise<void>;
}

/** The configuration as a mirror of its own (the CLI's doctor is no instance of the team). */
async function openRegistry(target: PgTarget): Promise<OwnRegistry> {
  const bus = new NotifyBus({ target });
  await bus.start();
  try {
    const config = await PgConfig.open({ target, bus, onWarning: () => undefined });
    return {
      registry: {
        vcenters: new PgVcenterRepo(config),
        accounts: new PgServiceAccountRepo(config),
        sources: new PgSourceRepo(config),
      },
      close: async () => {
        await config.close().catch(() => undefined);
        await bus.stop().catch(() => undefined);
      },
    };
  } catch (err) {
    await bus.stop().catch(() => undefined);
    throw err;
  }
}

/** The team server's check-up; `ok` when no check failed (warnings allowed), as on a data folder. */
export async function runTeamDoctor(opts: TeamDoctorOptions, req: DoctorRequest): Promise<DoctorReport> {
  const { target } = opts;
  const env = opts.env ?? process.env;
  const checks: DoctorCheck[] = [dataFolder(opts.logDir, 'log folder')];
  const done = async (): Promise<DoctorReport> => {
    checks.push(await restPort(req.host, req.port));
    return { checks, ok: checks.every((c) => c.status !== 'fail') };
  };
  let client: pg.Client;
  try {
    client = await connectPg(target, 'doctor');
  } catch (err) {
    checks.push(check('database', 'reachable', 'fail', toErrorInfo(err).message));
    return done();
  }
  let ownVault: PgCredentialVault | null = null;
  let own: OwnRegistry | null = null;
  try {
    try {
      checks.push(await serverVersion(client, target));
      checks.push(await migrations(client, target));
      checks.push(await trigram(client, target));
      checks.push(await collation(client));
      checks.push(await leader(client, opts.electionName ?? 'vminer', opts.engine?.instance));
    } catch (err) {
      checks.push(check('database', 'queries', 'fail', pgError(err, target).message));
      return await done();
    }
    let vault: VaultReader | null = opts.engine?.vault ?? null;
    if (opts.engine)
      checks.push(
        check(
          'team vault',
          'opens',
          'ok',
          `${SECRET_KEY_ENV} opens it (${opts.engine.vault.list().length} secrets stored)`,
        ),
      );
    else {
      const opened = await openVault(client, target, env).catch((err: unknown) => ({
        vault: null,
        check: check('team vault', 'opens', 'fail', pgError(err, target).message),
      }));
      ownVault = opened.vault;
      vault =
        opened.vault ?? (opened.check.status === 'warn' ? { get: () => undefined, list: () => [] } : null);
      checks.push(opened.check);
    }
    let registry = opts.engine?.registry;
    if (!registry) {
      try {
        own = await openRegistry(target);
        registry = own.registry;
      } catch (err) {
        checks.push(
          check(
            'configuration',
            'reads',
            'fail',
            `the vCenters, accounts and sources cannot be read: ${toErrorInfo(err).message}`,
          ),
        );
        return await done();
      }
    }
    if (vault) checks.push(...missingSecrets(registry, vault));
    if (!req.localOnly) {
      const secret = (id: string): string | undefined => {
        // Said once in the vault's check: not as "no password stored" for every vCenter.
        if (!vault)
          throw new VminerError('VAULT_KEY_MISMATCH', 'the team vault did not open (see its check above)');
        return vault.get(id);
      };
      checks.push(...(await vcenterChecks({ ...registry, secret }, req.timeoutMs)));
      checks.push(...(await sourceChecks({ ...registry, secret })));
    }
    return await done();
  } finally {
    await own?.close();
    await ownVault?.close().catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
