import { openTestEngine } from '../../../testing/engine.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../engine.js';
import { AuthService } from './auth-service.js';

/* Verified tokens are remembered; revocation and expiry still apply to every call. */

let dir: string;
let engine: Engine;
let auth: AuthService;
const PW = 'a long enough password';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-auth-'));
  engine = await openTestEngine(dir, { owner: 'auth test' });
  auth = await AuthService.create(engine.database.db, engine.vault, 60);
  await auth.addUser('alice', PW, 'viewer');
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => {
  engine?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const token = async (): Promise<string> => (await auth.login('alice', PW)).access_token;

describe('AuthService.verify', () => {
  it('answers the same claims for a token it has seen before', async () => {
    const t = await token();
    const first = await auth.verify(t);
    expect(first).toMatchObject({ sub: 'alice', role: 'viewer' });
    expect(await auth.verify(t)).toEqual(first);
  });

  it('refuses a remembered token once it is logged out', async () => {
    const t = await token();
    const claims = await auth.verify(t);
    auth.revoke(claims);
    await expect(auth.verify(t)).rejects.toThrow(/logged out/);
    await expect(auth.verify(t)).rejects.toThrow(/logged out/);
  });

  it('refuses a remembered token once it has expired', async () => {
    const t = await token();
    await auth.verify(t);
    vi.useFakeTimers({ now: Date.now() + 61_000 });
    await expect(auth.verify(t)).rejects.toThrow(/expired/);
  });

  it('still checks the signature of every token it has not seen', async () => {
    const t = await token();
    await auth.verify(t);
    const [h, p, s] = t.split('.');
    const flipped = `${s!.slice(0, -2)}${s!.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(auth.verify(`${h}.${p}.${flipped}`)).rejects.toThrow(/invalid token/);
  });
});

describe('accounts', () => {
  it('a removed account’s tokens stop working even when verified before; the last admin stays', async () => {
    const other = await AuthService.create(engine.database.db, engine.vault, 60);
    await auth.addUser('bob', PW, 'admin');
    const t = (await auth.login('bob', PW)).access_token;
    expect((await auth.verify(t)).role).toBe('admin');
    // Removed through another instance (the UI's handlers), as the desktop and server do.
    await other.addUser('carol', PW, 'admin');
    other.removeUser('bob');
    await expect(auth.verify(t)).rejects.toThrow(/no longer exists/);
    expect(() => other.removeUser('carol')).toThrow(/last admin/);
    expect(() => other.removeUser('nobody')).toThrow(/no user/);
    other.removeUser('alice'); // a viewer can always go
    await expect(
      auth.verify(await auth.login('carol', PW).then((r) => r.access_token)),
    ).resolves.toMatchObject({
      role: 'admin',
    });
  });
});

describe('password hashes', () => {
  it('new hashes use scrypt N = 2^17; an older, cheaper hash is replaced at the next login', async () => {
    const { hashPassword, needsRehash } = await import('./auth-service.js');
    const fresh = await hashPassword('some password 1');
    expect(fresh.split('$').slice(0, 4)).toEqual(['scrypt', String(2 ** 17), '8', '1']);
    expect(needsRehash(fresh)).toBe(false);
    // A hash as vMiner stored it before (N = 2^15), written straight into the table.
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const old = `scrypt$${2 ** 15}$8$1$${salt.toString('base64')}$${scryptSync('old cost password', salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('base64')}`;
    expect(needsRehash(old)).toBe(true);
    await auth.addUser('legacy', 'placeholder password', 'viewer');
    engine.database.sqlite
      .prepare('UPDATE users SET password_hash = ? WHERE username = ?')
      .run(old, 'legacy');
    await auth.login('legacy', 'old cost password');
    const stored = (
      engine.database.sqlite
        .prepare('SELECT password_hash AS h FROM users WHERE username = ?')
        .get('legacy') as {
        h: string;
      }
    ).h;
    expect(stored).not.toBe(old);
    expect(stored.split('$')[1]).toBe(String(2 ** 17));
    // The same password still logs in, now against the new hash.
    await expect(auth.login('legacy', 'old cost password')).resolves.toHaveProperty('access_token');
  });
});
