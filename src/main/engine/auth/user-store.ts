/**
 * Where AuthService keeps accounts and logged-out tokens: the SQLite cache (SqliteUserStore,
 * here) or the team database (team/pg-user-store.ts). AuthService holds the rules (user names,
 * passwords, the last admin, token versions); a store runs the rule it is given against the
 * account as stored *now* — inside its transaction, under its lock on PostgreSQL — and applies the
 * change the rule returns. Reads are synchronous on both (PostgreSQL reads its in-memory mirror).
 */
import type { Statement } from 'better-sqlite3';
import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { revokedTokens, users } from '../db/schema.js';

export type UserRecord = typeof users.$inferSelect;
export type NewUser = Omit<UserRecord, 'id' | 'tokenVersion'>;

/** What a rule decided: new column values (and whether the account's tokens end), or its removal. */
export type UserChange =
  { kind: 'set'; passwordHash?: string; role?: string; endTokens: boolean } | { kind: 'remove' } | null;

/**
 * A rule over the account as stored now and the number of admins: throws to refuse, returns the
 * change to make (null: nothing to do).
 */
export type UserRule = (current: UserRecord | undefined, admins: number) => UserChange;

export interface UserStore {
  /** By user name, ignoring (ASCII) case. */
  find(username: string): UserRecord | undefined;
  /** The per-request check: the three columns a token is compared with. */
  tokenState(username: string): { username: string; role: string; tv: number } | undefined;
  count(): number;
  list(): { username: string; role: string; createdAt: string }[];
  isRevoked(jti: string): boolean;
  /** Adds an account after `check` saw no account of that name (ignoring case). */
  add(row: NewUser, check: (existing: UserRecord | undefined) => void): void | Promise<void>;
  /** Runs `rule` on the account named `username` and applies its change; the account as it was. */
  change(username: string, rule: UserRule): UserRecord | undefined | Promise<UserRecord | undefined>;
  /** A logged-out token, kept until `expiresAt` (seconds). */
  revoke(jti: string, expiresAt: number): void | Promise<void>;
  /**
   * Changes another process made (PostgreSQL: another instance): `username`'s tokens ended (its
   * password or role changed, or it was removed). The SQLite store never calls it.
   */
  onExternalChange(listener: (username: string) => void): () => void;
}

/** The SQLite cache's accounts and revoked tokens (the desktop app, `vminer serve` on a data folder). */
export class SqliteUserStore implements UserStore {
  private readonly revoked = new Set<string>();
  /** The account lookup (login, account management), prepared once. */
  private readonly byName;
  /**
   * The per-request account check: one better-sqlite3 statement prepared once, reading only the
   * three columns it compares (no ORM row mapping on every request).
   */
  private readonly accountState: Statement<[string], { username: string; role: string; tv: number }>;

  constructor(private readonly db: Db) {
    this.byName = this.db
      .select()
      .from(users)
      .where(sql`${users.username} = ${sql.placeholder('name')} COLLATE NOCASE`)
      .prepare();
    this.accountState = this.db.$client.prepare(
      'SELECT username, role, token_version AS tv FROM users WHERE username = ? COLLATE NOCASE',
    );
    const now = Math.floor(Date.now() / 1000);
    this.db.delete(revokedTokens).where(lt(revokedTokens.expiresAt, now)).run();
    for (const r of this.db.select().from(revokedTokens).all()) this.revoked.add(r.jti);
  }

  find(username: string): UserRecord | undefined {
    return this.byName.get({ name: username });
  }

  tokenState(username: string): { username: string; role: string; tv: number } | undefined {
    return this.accountState.get(username);
  }

  count(): number {
    return (
      this.db
        .select({ n: sql<number>`count(*)` })
        .from(users)
        .get()?.n ?? 0
    );
  }

  list(): { username: string; role: string; createdAt: string }[] {
    return this.db
      .select({ username: users.username, role: users.role, createdAt: users.createdAt })
      .from(users)
      .all();
  }

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  add(row: NewUser, check: (existing: UserRecord | undefined) => void): void {
    check(this.find(row.username));
    this.db.insert(users).values(row).run();
  }

  change(username: string, rule: UserRule): UserRecord | undefined {
    const u = this.find(username);
    const admins = this.list().filter((x) => x.role === 'admin').length;
    const change = rule(u, admins);
    if (!change || !u) return u;
    if (change.kind === 'remove') this.db.delete(users).where(eq(users.id, u.id)).run();
    else
      this.db
        .update(users)
        .set({
          ...(change.passwordHash !== undefined ? { passwordHash: change.passwordHash } : {}),
          ...(change.role !== undefined ? { role: change.role } : {}),
          ...(change.endTokens ? { tokenVersion: sql`${users.tokenVersion} + 1` } : {}),
        })
        .where(eq(users.id, u.id))
        .run();
    return u;
  }

  revoke(jti: string, expiresAt: number): void {
    this.revoked.add(jti);
    this.db.insert(revokedTokens).values({ jti, expiresAt }).onConflictDoNothing().run();
  }

  onExternalChange(): () => void {
    return () => undefined;
  }
}
