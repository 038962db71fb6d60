import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Statement } from 'better-sqlite3';
import { eq, lt, sql } from 'drizzle-orm';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { VminerError } from '../../../shared/errors.js';
import type { Db } from '../db/database.js';
import { revokedTokens, users } from '../db/schema.js';
import type { SecretVault } from '../secrets/index.js';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
/**
 * N = 2^17 (128 MiB, ~0.3 s here): OWASP's scrypt floor. Hashes made with a lower cost are
 * replaced at the next successful login.
 */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };

export type Role = 'admin' | 'viewer';

export interface TokenClaims {
  sub: string;
  role: Role;
  jti: string;
  exp: number;
  /** The account's token version when the token was made (absent in tokens older than it: 0). */
  tv: number;
}

/** Failed logins per account before it is refused for the rest of the window. */
export const ACCOUNT_FAILURES_MAX = 10;
const ACCOUNT_WINDOW_MS = 15 * 60_000;

/** A slow, salted hash: `scrypt$N$r$p$salt$hash` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A stored hash made with less than today's cost (rehashed at the next successful login). */
export function needsRehash(stored: string): boolean {
  const [kind, n, r, p] = stored.split('$');
  return kind !== 'scrypt' || Number(n) < SCRYPT.N || Number(r) !== SCRYPT.r || Number(p) !== SCRYPT.p;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export function validateNewPassword(password: string): void {
  if (password.length < 8) throw new VminerError('INVALID_INPUT', 'passwords need at least 8 characters');
}

const JWT_SECRET_ID = 'rest:jwt-secret';
// A fixed dummy hash so a login for an unknown user costs the same as a wrong password.
let dummyHash: Promise<string> | undefined;
/** Verified tokens remembered at most (then forgotten all at once and verified again). */
const VERIFIED_MAX = 10_000;
/** One service per database: every part of a process sees the same revocations at once. */
const services = new WeakMap<Db, Promise<AuthService>>();

/**
 * Accounts and tokens for the REST API. Tokens are HS256 JWTs signed with a per-installation
 * secret kept in the credential vault (whose key lives in the OS keychain); logout revokes.
 */
export class AuthService {
  private readonly revoked = new Set<string>();
  /** Failed logins by lower-case account name: the count and when the window started. */
  private readonly failures = new Map<string, { count: number; since: number }>();
  /** Told when an account's tokens end (password or role changed, account removed, logout). */
  private readonly revokedListeners = new Set<(username: string, jti?: string) => void>();
  /** Tokens whose signature and claims were verified, by token text. */
  private readonly verified = new Map<string, TokenClaims>();
  /** The account lookup (login, account management), prepared once. */
  private readonly byName;
  /**
   * The per-request account check, `account`: one better-sqlite3 statement prepared once, reading
   * only the three columns it compares (no ORM row mapping on every request).
   */
  private readonly accountState: Statement<[string], { username: string; role: string; tv: number }>;

  private constructor(
    private readonly db: Db,
    private readonly secret: Uint8Array,
    /** Lifetime of new tokens. */
    public expiresInSeconds: number,
  ) {
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

  /** The database's one service (made on first use): the REST listener and the handlers share it. */
  static async create(db: Db, vault: SecretVault, expiresInSeconds?: number): Promise<AuthService> {
    const service = await AuthService.shared(db, vault);
    if (expiresInSeconds !== undefined) service.expiresInSeconds = expiresInSeconds;
    return service;
  }

  private static shared(db: Db, vault: SecretVault): Promise<AuthService> {
    let service = services.get(db);
    if (!service) {
      service = (async () => {
        let secret = vault.get(JWT_SECRET_ID);
        if (!secret) {
          secret = randomBytes(32).toString('base64');
          await vault.set(JWT_SECRET_ID, secret);
        }
        return new AuthService(db, Buffer.from(secret, 'base64'), 8 * 3600);
      })();
      services.set(db, service);
      service.catch(() => services.delete(db));
    }
    return service;
  }

  /** Hears every end of tokens: `(username)` for all of an account's, `(username, jti)` for one. */
  onRevoked(listener: (username: string, jti?: string) => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private revokedAll(username: string): void {
    for (const [token, claims] of this.verified)
      if (claims.sub.toLowerCase() === username.toLowerCase()) this.verified.delete(token);
    for (const l of this.revokedListeners) l(username);
  }

  /**
   * Still good? The account exists with the token's version (a password or role change since
   * ends it), and the token is neither logged out nor expired. SSE streams ask this as they run.
   */
  stillValid(claims: TokenClaims): boolean {
    if (this.revoked.has(claims.jti) || claims.exp <= Math.floor(Date.now() / 1000)) return false;
    const u = this.find(claims.sub);
    return u !== undefined && u.tokenVersion === claims.tv;
  }

  hasUsers(): boolean {
    return (
      (this.db
        .select({ n: sql<number>`count(*)` })
        .from(users)
        .get()?.n ?? 0) > 0
    );
  }

  listUsers(): { username: string; role: string; createdAt: string }[] {
    return this.db
      .select({ username: users.username, role: users.role, createdAt: users.createdAt })
      .from(users)
      .all();
  }

  async addUser(username: string, password: string, role: Role = 'admin'): Promise<void> {
    if (!/^[\w.@-]{1,64}$/.test(username)) {
      throw new VminerError('INVALID_INPUT', 'user names use letters, digits, "." "_" "-" "@" (at most 64)');
    }
    validateNewPassword(password);
    if (this.find(username)) throw new VminerError('INVALID_INPUT', `user "${username}" already exists`);
    this.db
      .insert(users)
      .values({
        username,
        passwordHash: await hashPassword(password),
        role,
        createdAt: new Date().toISOString(),
      })
      .run();
  }

  async setPassword(username: string, password: string): Promise<void> {
    validateNewPassword(password);
    const u = this.find(username);
    if (!u) throw new VminerError('NOT_FOUND', `no user "${username}"`);
    this.db
      .update(users)
      .set({ passwordHash: await hashPassword(password), tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, u.id))
      .run();
    this.revokedAll(u.username);
  }

  /** Changes an account's role; its tokens end (it logs in again with the new role). */
  setRole(username: string, role: Role): void {
    const u = this.find(username);
    if (!u) throw new VminerError('NOT_FOUND', `no user "${username}"`);
    if (u.role === role) return;
    const admins = this.listUsers().filter((x) => x.role === 'admin').length;
    if (u.role === 'admin' && admins <= 1)
      throw new VminerError(
        'INVALID_INPUT',
        `"${u.username}" is the last admin: make another user admin first`,
      );
    this.db
      .update(users)
      .set({ role, tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, u.id))
      .run();
    this.revokedAll(u.username);
  }

  /** Removes an account (its tokens stop working); the last admin cannot be removed. */
  removeUser(username: string): void {
    const u = this.find(username);
    if (!u) throw new VminerError('NOT_FOUND', `no user "${username}"`);
    const admins = this.listUsers().filter((x) => x.role === 'admin').length;
    if (u.role === 'admin' && admins <= 1)
      throw new VminerError('INVALID_INPUT', `"${u.username}" is the last admin: add another admin first`);
    this.db.delete(users).where(eq(users.id, u.id)).run();
    this.revokedAll(u.username);
  }

  private find(username: string) {
    return this.byName.get({ name: username });
  }

  async login(
    username: string,
    password: string,
  ): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number }> {
    const key = username.toLowerCase();
    const now = Date.now();
    const failed = this.failures.get(key);
    if (failed && now - failed.since >= ACCOUNT_WINDOW_MS) this.failures.delete(key);
    const recent = this.failures.get(key);
    if (recent && recent.count >= ACCOUNT_FAILURES_MAX) {
      const minutes = Math.ceil((recent.since + ACCOUNT_WINDOW_MS - now) / 60_000);
      throw new VminerError(
        'RATE_LIMITED',
        `too many failed logins for "${username.slice(0, 64)}": try again in ${minutes} minute(s)`,
      );
    }
    const u = this.find(username);
    dummyHash ??= hashPassword(randomUUID());
    const ok = await verifyPassword(password, u?.passwordHash ?? (await dummyHash));
    if (!u || !ok) {
      if (this.failures.size >= VERIFIED_MAX) this.failures.clear();
      const f = this.failures.get(key) ?? { count: 0, since: now };
      f.count++;
      this.failures.set(key, f);
      throw new VminerError('LOGIN_FAILED', 'wrong user name or password');
    }
    this.failures.delete(key);
    if (needsRehash(u.passwordHash))
      this.db
        .update(users)
        .set({ passwordHash: await hashPassword(password) })
        .where(eq(users.id, u.id))
        .run();
    const token = await new SignJWT({ role: u.role, tv: u.tokenVersion })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u.username)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${this.expiresInSeconds}s`)
      .setIssuer('vminer')
      .sign(this.secret);
    return { access_token: token, token_type: 'bearer', expires_in: this.expiresInSeconds };
  }

  async verify(token: string): Promise<TokenClaims> {
    // A token whose signature was checked once is not checked again (a client sends the same
    // token with every request); revocation and expiry are checked on every call all the same.
    const known = this.verified.get(token);
    if (known) return this.live(token, known);
    try {
      const { payload } = await jwtVerify(token, this.secret, { issuer: 'vminer', algorithms: ['HS256'] });
      if (!payload.jti || !payload.sub || !payload.exp)
        throw new VminerError('LOGIN_FAILED', 'malformed token');
      if (this.revoked.has(payload.jti))
        throw new VminerError('LOGIN_FAILED', 'this token was logged out; log in again');
      const role: Role = payload['role'] === 'viewer' ? 'viewer' : 'admin';
      const tv = typeof payload['tv'] === 'number' ? payload['tv'] : 0;
      const claims: TokenClaims = { sub: payload.sub, role, jti: payload.jti, exp: payload.exp, tv };
      if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
      this.verified.set(token, claims);
      return this.account(claims);
    } catch (err) {
      if (err instanceof VminerError) throw err;
      if (err instanceof joseErrors.JWTExpired)
        throw new VminerError('LOGIN_FAILED', 'the token has expired; log in again');
      throw new VminerError('LOGIN_FAILED', 'invalid token');
    }
  }

  /** A verified token's claims while it is neither revoked nor expired (jose's expiry rule). */
  private live(token: string, claims: TokenClaims): TokenClaims {
    if (this.revoked.has(claims.jti)) {
      this.verified.delete(token);
      throw new VminerError('LOGIN_FAILED', 'this token was logged out; log in again');
    }
    if (claims.exp <= Math.floor(Date.now() / 1000)) {
      this.verified.delete(token);
      throw new VminerError('LOGIN_FAILED', 'the token has expired; log in again');
    }
    return this.account(claims);
  }

  /**
   * The account as it is now: a removed user's tokens stop working, and so do tokens made before
   * a password or role change (the account's token version moved on; any other process that
   * shares the database sees it at its next request).
   */
  private account(claims: TokenClaims): TokenClaims {
    const u = this.accountState.get(claims.sub);
    if (!u) throw new VminerError('LOGIN_FAILED', 'this account no longer exists');
    if (u.tv !== claims.tv)
      throw new VminerError(
        'LOGIN_FAILED',
        'the password or role of this account changed since this token was issued; log in again',
      );
    const role: Role = u.role === 'viewer' ? 'viewer' : 'admin';
    return role === claims.role && u.username === claims.sub ? claims : { ...claims, sub: u.username, role };
  }

  revoke(claims: TokenClaims): void {
    this.revoked.add(claims.jti);
    this.db
      .insert(revokedTokens)
      .values({ jti: claims.jti, expiresAt: claims.exp })
      .onConflictDoNothing()
      .run();
    for (const l of this.revokedListeners) l(claims.sub, claims.jti);
  }
}
