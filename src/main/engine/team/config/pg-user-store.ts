/**
 * The REST API's accounts and logged-out tokens on the team database, for AuthService
 * (`AuthService.forStore`): reads from the mirror (the per-request token check reads memory),
 * writes under the users' lock, where AuthService's rules run against the account as stored. A
 * logout on one instance is refused on every other once its notification arrives; a password or
 * role change, or a removal, made on another instance ends the account's tokens here too
 * (`onExternalChange`, from the token versions a reload brings).
 */
import { users } from '../../db/schema.js';
import type { NewUser, UserRecord, UserRule, UserStore } from '../../auth/user-store.js';
import type { PgConfig } from './pg-config.js';
import { insertRow, selectRows, type Queryable } from './pg-rows.js';
import { foldAscii } from './text-order.js';

export class PgUserStore implements UserStore {
  #revoked = new Set<string>();
  /** Token version by user name, as last read: a reload that moves one ends that account's tokens. */
  #versions = new Map<string, number>();
  /** The accounts by ASCII-folded name: the per-request token check is one lookup. */
  #byName = new Map<string, UserRecord>();
  readonly #listeners = new Set<(username: string) => void>();

  private constructor(private readonly config: PgConfig) {
    this.#revokedLoaded();
    this.#usersLoaded(false);
    config.onReload((table) => {
      if (table === 'revoked_tokens') this.#revokedLoaded();
      if (table === 'users') this.#usersLoaded(true);
    });
  }

  /** The store over `config`'s mirror; tokens whose expiry passed are deleted first. */
  static async open(config: PgConfig): Promise<PgUserStore> {
    await config.write({ tables: ['revoked_tokens'] }, async (c) => {
      await c.query('DELETE FROM revoked_tokens WHERE expires_at < $1', [Math.floor(Date.now() / 1000)]);
    });
    return new PgUserStore(config);
  }

  #revokedLoaded(): void {
    this.#revoked = new Set(this.config.rows('revoked_tokens').map((r) => r.jti));
  }

  #usersLoaded(tell: boolean): void {
    const rows = this.config.rows('users');
    // Two names equal but for case cannot both exist (users_username_uq): the first one stands.
    this.#byName = new Map([...rows].reverse().map((u) => [foldAscii(u.username), u]));
    const now = new Map(rows.map((u) => [u.username, u.tokenVersion]));
    if (tell)
      for (const [name, tv] of this.#versions)
        if (now.get(name) !== tv) for (const l of this.#listeners) l(name);
    this.#versions = now;
  }

  find(username: string): UserRecord | undefined {
    return this.#byName.get(foldAscii(username));
  }

  tokenState(username: string): { username: string; role: string; tv: number } | undefined {
    const u = this.find(username);
    return u ? { username: u.username, role: u.role, tv: u.tokenVersion } : undefined;
  }

  count(): number {
    return this.config.rows('users').length;
  }

  list(): { username: string; role: string; createdAt: string }[] {
    return this.config
      .rows('users')
      .map((u) => ({ username: u.username, role: u.role, createdAt: u.createdAt }));
  }

  isRevoked(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  async add(row: NewUser, check: (existing: UserRecord | undefined) => void): Promise<void> {
    await this.config.write({ tables: ['users'], lock: ['users'] }, async (c, touch) => {
      check(await stored(c, row.username));
      touch('users', (await insertRow(c, users, row))!.id);
    });
  }

  async change(username: string, rule: UserRule): Promise<UserRecord | undefined> {
    return this.config.write({ tables: ['users'], lock: ['users'] }, async (c, touch) => {
      const u = await stored(c, username);
      if (u) touch('users', u.id);
      const admins = (
        await c.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin'")
      ).rows[0]!.n;
      const change = rule(u, admins);
      if (!change || !u) return u;
      if (change.kind === 'remove') await c.query('DELETE FROM users WHERE id = $1', [u.id]);
      else
        await c.query(
          `UPDATE users SET password_hash = COALESCE($2, password_hash), role = COALESCE($3, role),
             token_version = token_version + $4 WHERE id = $1`,
          [u.id, change.passwordHash ?? null, change.role ?? null, change.endTokens ? 1 : 0],
        );
      return u;
    });
  }

  async revoke(jti: string, expiresAt: number): Promise<void> {
    this.#revoked.add(jti);
    await this.config.write({ tables: ['revoked_tokens'] }, async (c, touch) => {
      touch('revoked_tokens', jti);
      await c.query('INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        jti,
        expiresAt,
      ]);
    });
  }

  onExternalChange(listener: (username: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** The account named `username` (ignoring ASCII case) as stored now. */
async function stored(c: Queryable, username: string): Promise<UserRecord | undefined> {
  return (await selectRows(c, users, 'lower(username) = lower({1})', [username], 'ORDER BY id LIMIT 1'))[0];
}
