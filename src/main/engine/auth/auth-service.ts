import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { VminerError } from '../../../shared/errors.js';
import type { Db } from '../db/database.js';
import { andThen, type MaybePromise } from '../maybe-async.js';
import type { SecretVault } from '../secrets/index.js';
import { SqliteUserStore, type UserStore } from './user-store.js';

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

/** The vault item holding the REST tokens' signing key. */
export const JWT_SECRET_ID = 'rest:jwt-secret';
// A fixed dummy hash so a login for an unknown user costs the same as a wrong password.
let dummyHash: Promise<string> | undefined;
/** Verified tokens remembered at most (then forgotten all at once and verified again). */
const VERIFIED_MAX = 10_000;
/** One service per database: every part of a process sees the same revocations at once. */
const services = new WeakMap<object, Promise<AuthService>>();

function checkUsername(username: string): void {
  if (!/^[\w.@-]{1,64}$/.test(username)) {
    throw new VminerError('INVALID_INPUT', 'user names use letters, digits, "." "_" "-" "@" (at most 64)');
  }
}

/**
 * Accounts and tokens for the REST API. Tokens are HS256 JWTs signed with a per-installation
 * secret kept in the credential vault (whose key lives in the OS keychain); logout revokes.
 */
export class AuthService {
  /** Failed logins by lower-case account name: the count and when the window started. */
  private readonly failures = new Map<string, { count: number; since: number }>();
  /** Told when an account's tokens end (password or role changed, account removed, logout). */
  private readonly revokedListeners = new Set<(username: string, jti?: string) => void>();
  /** Tokens whose signature and claims were verified, by token text. */
  private readonly verified = new Map<string, TokenClaims>();

  private constructor(
    /** The accounts and revoked tokens: the SQLite cache's or the team database's. */
    private readonly store: UserStore,
    private readonly secret: Uint8Array,
    /** Lifetime of new tokens. */
    public expiresInSeconds: number,
  ) {
    // Another instance (team server) changed an account: its tokens end here too.
    store.onExternalChange((username) => this.revokedAll(username));
  }

  /** The database's one service (made on first use): the REST listener and the handlers share it. */
  static async create(db: Db, vault: SecretVault, expiresInSeconds?: number): Promise<AuthService> {
    return AuthService.over(db, () => new SqliteUserStore(db), vault, expiresInSeconds);
  }

  /** The one service of `store` (the team database's accounts: team/pg-user-store.ts). */
  static async forStore(
    store: UserStore,
    vault: SecretVault,
    expiresInSeconds?: number,
  ): Promise<AuthService> {
    return AuthService.over(store, () => store, vault, expiresInSeconds);
  }

  private static async over(
    key: object,
    store: () => UserStore,
    vault: SecretVault,
    expiresInSeconds: number | undefined,
  ): Promise<AuthService> {
    let service = services.get(key);
    if (!service) {
      service = (async () => {
        let secret = vault.get(JWT_SECRET_ID);
        if (!secret) {
          secret = randomBytes(32).toString('base64');
          await vault.set(JWT_SECRET_ID, secret);
        }
        return new AuthService(store(), Buffer.from(secret, 'base64'), 8 * 3600);
      })();
      services.set(key, service);
      service.catch(() => services.delete(key));
    }
    const s = await service;
    if (expiresInSeconds !== undefined) s.expiresInSeconds = expiresInSeconds;
    return s;
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
    if (this.store.isRevoked(claims.jti) || claims.exp <= Math.floor(Date.now() / 1000)) return false;
    const u = this.store.find(claims.sub);
    return u !== undefined && u.tokenVersion === claims.tv;
  }

  hasUsers(): boolean {
    return this.store.count() > 0;
  }

  listUsers(): { username: string; role: string; createdAt: string }[] {
    return this.store.list();
  }

  async addUser(username: string, password: string, role: Role = 'admin'): Promise<void> {
    checkUsername(username);
    validateNewPassword(password);
    if (this.store.find(username)) throw exists(username);
    const row = {
      username,
      passwordHash: await hashPassword(password),
      role,
      createdAt: new Date().toISOString(),
    };
    // Checked again where it is written (under the store's lock on PostgreSQL).
    await this.store.add(row, (existing) => {
      if (existing) throw exists(username);
    });
  }

  async setPassword(username: string, password: string): Promise<void> {
    validateNewPassword(password);
    if (!this.store.find(username)) throw noUser(username);
    const passwordHash = await hashPassword(password);
    const u = await this.store.change(username, (current) => {
      if (!current) throw noUser(username);
      return { kind: 'set', passwordHash, endTokens: true };
    });
    if (u) this.revokedAll(u.username);
  }

  /** Changes an account's role; its tokens end (it logs in again with the new role). */
  setRole(username: string, role: Role): MaybePromise<void> {
    const changed = this.store.change(username, (u, admins) => {
      if (!u) throw noUser(username);
      if (u.role === role) return null;
      if (u.role === 'admin' && admins <= 1)
        throw new VminerError(
          'INVALID_INPUT',
          `"${u.username}" is the last admin: make another user admin first`,
        );
      return { kind: 'set', role, endTokens: true };
    });
    return andThen(changed, (u) => {
      if (u && u.role !== role) this.revokedAll(u.username);
    });
  }

  /** Removes an account (its tokens stop working); the last admin cannot be removed. */
  removeUser(username: string): MaybePromise<void> {
    const removed = this.store.change(username, (u, admins) => {
      if (!u) throw noUser(username);
      if (u.role === 'admin' && admins <= 1)
        throw new VminerError('INVALID_INPUT', `"${u.username}" is the last admin: add another admin first`);
      return { kind: 'remove' };
    });
    return andThen(removed, (u) => {
      if (u) this.revokedAll(u.username);
    });
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
    const u = this.store.find(username);
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
    if (needsRehash(u.passwordHash)) {
      const passwordHash = await hashPassword(password);
      // Only while the stored hash is still the one just checked (no password change in between).
      await this.store.change(u.username, (current) =>
        current?.passwordHash === u.passwordHash ? { kind: 'set', passwordHash, endTokens: false } : null,
      );
    }
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
      if (this.store.isRevoked(payload.jti))
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
    if (this.store.isRevoked(claims.jti)) {
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
    const u = this.store.tokenState(claims.sub);
    if (!u) throw new VminerError('LOGIN_FAILED', 'this account no longer exists');
    if (u.tv !== claims.tv)
      throw new VminerError(
        'LOGIN_FAILED',
        'the password or role of this account changed since this token was issued; log in again',
      );
    const role: Role = u.role === 'viewer' ? 'viewer' : 'admin';
    return role === claims.role && u.username === claims.sub ? claims : { ...claims, sub: u.username, role };
  }

  revoke(claims: TokenClaims): MaybePromise<void> {
    return andThen(this.store.revoke(claims.jti, claims.exp), () => {
      for (const l of this.revokedListeners) l(claims.sub, claims.jti);
    });
  }
}

function exists(username: string): VminerError {
  return new VminerError('INVALID_INPUT', `user "${username}" already exists`);
}

function noUser(username: string): VminerError {
  return new VminerError('NOT_FOUND', `no user "${username}"`);
}
