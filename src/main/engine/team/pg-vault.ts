/**
 * The team server's credential vault: vCenter, service-account, source and database passwords of
 * several `vminer serve` instances, kept in the team database's `vault` row (migration
 * 0002_vault) instead of a data folder's file. The row holds the same encrypted document as the
 * desktop's `credentials.vault` (format.ts: AES-256-GCM, padded, key check), so PostgreSQL, its
 * backups and its replicas never see a clear secret. The key comes from VMINER_SECRET_KEY only —
 * there is no keychain on a server and a key beside the data would defeat the point — and every
 * instance must be given the same value (64 hex characters, base64 of 32 bytes, or a passphrase of
 * 16 or more characters, whose scrypt parameters travel in the row).
 *
 * Reads come from memory (the engine reads secrets synchronously, as from the file vault); each
 * instance re-reads the row when its `version` moved, every `refreshMs` and before each write. A
 * write locks the row (SELECT … FOR UPDATE), merges into what is stored now and bumps the version,
 * so two instances writing at once both keep their change.
 */
import pg from 'pg';
import { VminerError } from '../../../shared/errors.js';
import { errorMessage, VaultError } from '../secrets/errors.js';
import {
  decryptVault,
  derivePassphraseKey,
  encodeVault,
  keyMatches,
  newScryptParams,
  parseEnvKey,
  parseVaultFile,
  SECRET_KEY_ENV,
  type VaultFile,
  type VaultKey,
} from '../secrets/format.js';
import { deleteThrough, setThrough, type SecretVault } from '../secrets/secret-vault.js';
import { pgError, pgTypes } from '../db/pg/connect.js';
import { clientConfig, type PgTarget } from './pg-connection.js';

/** The row of the credential vault (one table could hold more vaults; there is one today). */
const VAULT_ID = 'credentials';

export interface OpenPgVaultOptions {
  target: PgTarget;
  /** Where VMINER_SECRET_KEY is read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** How often another instance's writes are looked for (ms; default 5000; 0 = only on refresh()). */
  refreshMs?: number;
  /** A failed background refresh (the database away for a moment); the last entries stay in use. */
  onWarning?: (message: string) => void;
}

interface Row {
  content: string;
  version: number;
}

export class PgCredentialVault implements SecretVault {
  readonly backend = 'env' as const;
  readonly path: string;
  readonly #pool: pg.Pool;
  readonly #key: VaultKey;
  #entries: Map<string, string>;
  #version: number;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #target: PgTarget;

  private constructor(
    target: PgTarget,
    pool: pg.Pool,
    key: VaultKey,
    entries: Map<string, string>,
    version: number,
  ) {
    this.#target = target;
    this.path = `${target.display} (table vault)`;
    this.#pool = pool;
    this.#key = key;
    this.#entries = entries;
    this.#version = version;
  }

  static async open(opts: OpenPgVaultOptions): Promise<PgCredentialVault> {
    const env = opts.env ?? process.env;
    const value = env[SECRET_KEY_ENV];
    const where = `the team vault at ${opts.target.display}`;
    if (value === undefined || value === '') {
      throw new VaultError(
        'VAULT_KEY_MISSING',
        `${where} is encrypted with ${SECRET_KEY_ENV}, which is not set. Give every instance the same value ` +
          `(64 hex characters from \`openssl rand -hex 32\`, or a passphrase of at least 16 characters), from a ` +
          `file only the service account reads (systemd EnvironmentFile=, mode 0600).`,
      );
    }
    const material = parseEnvKey(value);
    const pool = new pg.Pool({
      ...clientConfig(opts.target, 'vault', { types: pgTypes }),
      max: 2,
      idleTimeoutMillis: 30_000,
    });
    pool.on('error', () => undefined); // an idle connection dropped: the next query opens another
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const row = await readRow(pool, opts.target);
        if (row) {
          const file = parseVaultFile(Buffer.from(row.content, 'utf8'), where);
          const key = await keyFor(material, file, where);
          const vault = new PgCredentialVault(
            opts.target,
            pool,
            key,
            decryptVault(file, key, where),
            row.version,
          );
          vault.#startRefresh(opts.refreshMs ?? 5000, opts.onWarning);
          return vault;
        }
        const key: VaultKey =
          material.kind === 'raw'
            ? { root: material.key, kdf: null }
            : await (async () => {
                const kdf = newScryptParams();
                return { root: await derivePassphraseKey(material.passphrase, kdf), kdf };
              })();
        const created = await query<{ version: number }>(
          pool,
          opts.target,
          `INSERT INTO vault (id, content, version, updated_at) VALUES ($1, $2, 1, now())
           ON CONFLICT (id) DO NOTHING RETURNING version`,
          [VAULT_ID, encodeVault(key, new Map()).toString('utf8')],
        );
        if (created.rowCount === 1) {
          const vault = new PgCredentialVault(opts.target, pool, key, new Map(), 1);
          vault.#startRefresh(opts.refreshMs ?? 5000, opts.onWarning);
          return vault;
        }
        // Another instance created it in the meantime: read theirs (its passphrase salt, if any).
      }
      throw new VaultError('VAULT_IO', `${where} keeps changing while opening it; try again`);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  get(id: string): string | undefined {
    return this.#entries.get(id);
  }

  list(): string[] {
    return [...this.#entries.keys()].sort();
  }

  set(id: string, secret: string): Promise<void> {
    return setThrough((change) => this.#mutate(change), id, secret);
  }

  delete(id: string): Promise<boolean> {
    return deleteThrough((change) => this.#mutate(change), id);
  }

  /** Picks up other instances' writes now (the engine calls it before a sync reads passwords). */
  async refresh(): Promise<void> {
    const v = await query<{ version: number }>(
      this.#pool,
      this.#target,
      'SELECT version FROM vault WHERE id = $1',
      [VAULT_ID],
    );
    const version = v.rows[0]?.version;
    if (version === undefined) throw removed(this.path);
    if (version === this.#version) return;
    const row = await readRow(this.#pool, this.#target);
    if (!row) throw removed(this.path);
    this.#apply(row);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#queue;
    await this.#pool.end();
  }

  #apply(row: Row): void {
    const file = parseVaultFile(Buffer.from(row.content, 'utf8'), this.path);
    if (!keyMatches(file, this.#key)) throw changedKey(this.path);
    this.#entries = decryptVault(file, this.#key, this.path);
    this.#version = row.version;
  }

  #startRefresh(every: number, onWarning: ((message: string) => void) | undefined): void {
    if (every <= 0) return;
    let warned = false;
    this.#timer = setInterval(() => {
      this.refresh().then(
        () => (warned = false),
        (err: unknown) => {
          if (!warned)
            onWarning?.(
              `the team vault could not be re-read (${errorMessage(err)}); using what was read before`,
            );
          warned = true;
        },
      );
    }, every);
    this.#timer.unref();
  }

  /** One write at a time per instance; across instances the row lock orders them. */
  #mutate(change: (entries: Map<string, string>) => boolean): Promise<void> {
    const run = async (): Promise<void> => {
      const client = await this.#pool.connect().catch((err: unknown) => {
        throw pgError(err, this.#target);
      });
      try {
        await client.query('BEGIN');
        const r = await client.query<Row>('SELECT content, version FROM vault WHERE id = $1 FOR UPDATE', [
          VAULT_ID,
        ]);
        const row = r.rows[0];
        if (!row) throw removed(this.path);
        this.#apply(row);
        const entries = new Map(this.#entries);
        if (!change(entries)) {
          await client.query('COMMIT');
          return;
        }
        const w = await client.query<{ version: number }>(
          `UPDATE vault SET content = $2, version = version + 1, updated_at = now() WHERE id = $1
           RETURNING version`,
          [VAULT_ID, encodeVault(this.#key, entries).toString('utf8')],
        );
        await client.query('COMMIT');
        this.#entries = entries;
        this.#version = w.rows[0]!.version;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err instanceof VaultError || err instanceof VminerError ? err : pgError(err, this.#target);
      } finally {
        client.release();
      }
    };
    const p = this.#queue.then(run, run);
    this.#queue = p.catch(() => undefined);
    return p;
  }
}

async function query<T extends pg.QueryResultRow>(
  pool: pg.Pool,
  target: PgTarget,
  sql: string,
  params: unknown[],
): Promise<pg.QueryResult<T>> {
  try {
    return await pool.query<T>(sql, params);
  } catch (err) {
    if ((err as { code?: string }).code === '42P01')
      throw new VminerError(
        'NOT_FOUND',
        `${target.display} has no vault table: run \`vminer db migrate --database ${target.display}\` first`,
        { cause: err },
      );
    throw pgError(err, target);
  }
}

function readRow(pool: pg.Pool, target: PgTarget): Promise<Row | undefined> {
  return query<Row>(pool, target, 'SELECT content, version FROM vault WHERE id = $1', [VAULT_ID]).then(
    (r) => r.rows[0],
  );
}

/** The key VMINER_SECRET_KEY gives for the stored vault, or why it cannot open it. */
async function keyFor(
  material: ReturnType<typeof parseEnvKey>,
  file: VaultFile,
  where: string,
): Promise<VaultKey> {
  let key: VaultKey;
  if (material.kind === 'raw') {
    if (file.kdf)
      throw mismatch(where, `${SECRET_KEY_ENV} is a raw key, but the vault was created from a passphrase`);
    key = { root: material.key, kdf: null };
  } else {
    if (!file.kdf)
      throw mismatch(where, `${SECRET_KEY_ENV} is a passphrase, but the vault was created with a raw key`);
    key = { root: await derivePassphraseKey(material.passphrase, file.kdf), kdf: file.kdf };
  }
  if (!keyMatches(file, key)) throw mismatch(where, `${SECRET_KEY_ENV} is not the key it was encrypted with`);
  return key;
}

function mismatch(where: string, why: string): VaultError {
  return new VaultError(
    'VAULT_KEY_MISMATCH',
    `${where} cannot be decrypted: ${why}. Every instance must have the same ${SECRET_KEY_ENV} as the instance ` +
      `that created it; the vault was not modified. If that key is lost, an administrator deletes the row ` +
      `(DELETE FROM vault WHERE id = '${VAULT_ID}') and the passwords are entered again.`,
  );
}

function changedKey(where: string): VaultError {
  return new VaultError(
    'VAULT_KEY_MISMATCH',
    `${where} was re-created with another key by another instance: give this instance the same ${SECRET_KEY_ENV} ` +
      `and restart it. Nothing was written.`,
  );
}

function removed(where: string): VaultError {
  return new VaultError(
    'VAULT_IO',
    `${where} was deleted while this instance was running: restart the instance to create it again (the ` +
      `passwords it held must be entered again).`,
  );
}
