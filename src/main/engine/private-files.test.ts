import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, OS_LOCK_FILE } from './data-lock.js';
import { DB_FILE } from './db/database.js';
import { runDoctor } from './doctor.js';
import type { Engine } from './engine.js';
import { openTestEngine } from '../../testing/engine.js';
import { configureLogging, createLogger } from './log.js';
import { checkDataFolderModes, ensurePrivateDir } from './private-files.js';
import { KEY_FILE_NAME, VAULT_FILE_NAME } from './secrets/format.js';

const posix = process.platform !== 'win32';
const modeOf = (p: string): string => `0${(fs.statSync(p).mode & 0o777).toString(8)}`;

let base: string;
let umask: number;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-private-'));
  // The usual umask: without vMiner's care, new folders would be 0755 and files 0644.
  umask = process.umask(0o022);
});
afterEach(() => {
  process.umask(umask);
  configureLogging({ file: undefined });
  fs.rmSync(base, { recursive: true, force: true });
});

const open = (dataDir: string): Promise<Engine> => openTestEngine(dataDir);

describe.runIf(posix)('a private data folder', () => {
  it('is created 0700 with its database, WAL, SHM, logs, vault and lock files 0600', async () => {
    const dataDir = path.join(base, 'fresh', 'vMiner');
    const engine = await open(dataDir);
    try {
      await engine.setPassword(1, 'a password');
      engine.vcenters.list();
      createLogger('test').info('a line');
      expect(modeOf(dataDir)).toBe('0700');
      expect(modeOf(path.join(dataDir, 'logs'))).toBe('0700');
      for (const f of [
        DB_FILE,
        `${DB_FILE}-wal`,
        `${DB_FILE}-shm`,
        'logs/vminer.log',
        VAULT_FILE_NAME,
        KEY_FILE_NAME,
        LOCK_FILE,
        OS_LOCK_FILE,
      ])
        expect([f, modeOf(path.join(dataDir, f))]).toEqual([f, '0600']);
      expect((await runDoctor(engine.doctorDeps(), doctorRequest)).checks).toContainEqual(
        expect.objectContaining({ subject: 'data folder', step: 'private', status: 'ok' }),
      );
    } finally {
      engine.close();
    }
  });

  it('tightens a folder made elsewhere with looser modes, and the doctor says what it found', async () => {
    const dataDir = path.join(base, 'loose');
    (await open(dataDir)).close();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, DB_FILE), 0o644);
    fs.writeFileSync(path.join(dataDir, 'logs', 'vminer.log'), '');
    fs.chmodSync(path.join(dataDir, 'logs', 'vminer.log'), 0o664);
    // Beside another holder the doctor only reads, and warns.
    const seen = checkDataFolderModes(dataDir, { fix: false });
    expect(seen.map((f) => [path.relative(dataDir, f.path), f.was, f.now])).toEqual([
      ['', 0o755, null],
      [DB_FILE, 0o644, null],
      ['logs/vminer.log', 0o664, null],
    ]);
    expect(modeOf(dataDir)).toBe('0755');
    const engine = await open(dataDir);
    try {
      expect(modeOf(dataDir)).toBe('0700');
      expect(modeOf(path.join(dataDir, DB_FILE))).toBe('0600');
      expect(modeOf(path.join(dataDir, 'logs', 'vminer.log'))).toBe('0600');
      const checks = (await runDoctor(engine.doctorDeps(), doctorRequest)).checks.filter(
        (c) => c.step === 'private',
      );
      // SQLite made the new -wal and -shm as open as the database it found.
      expect(checks.map((c) => c.detail.split(' was ')[0])).toEqual(
        ['', DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, 'logs/vminer.log'].map((f) =>
          path.join(dataDir, f),
        ),
      );
      expect(checks[0]).toMatchObject({
        status: 'warn',
        detail: `${dataDir} was 0755 (other users could list or enter it); tightened to 0700`,
      });
      expect(checks[1]!.detail).toMatch(
        /vminer\.db was 0644 \(other users could read it\); tightened to 0600/,
      );
    } finally {
      engine.close();
    }
  });

  it('leaves what another user owns alone and says how to fix it', () => {
    const dir = path.join(base, 'theirs');
    fs.mkdirSync(dir, { mode: 0o755 });
    const [f] = checkDataFolderModes(dir, { fix: true, uid: (process.getuid?.() ?? 0) + 4242 });
    expect(f).toMatchObject({
      was: 0o755,
      now: null,
      reason: expect.stringMatching(/^owned by uid \d+, not by this user/),
    });
    expect(modeOf(dir)).toBe('0755');
  });

  it('creates missing parents 0700 too, and leaves an existing folder to the check', () => {
    ensurePrivateDir(path.join(base, 'a', 'b'));
    expect([modeOf(path.join(base, 'a')), modeOf(path.join(base, 'a', 'b'))]).toEqual(['0700', '0700']);
    fs.chmodSync(path.join(base, 'a', 'b'), 0o750);
    ensurePrivateDir(path.join(base, 'a', 'b'));
    expect(modeOf(path.join(base, 'a', 'b'))).toBe('0750');
  });
});

describe.runIf(!posix)('a private data folder on Windows', () => {
  it('skips mode checks (the profile folder is private)', () => {
    expect(checkDataFolderModes(base, { fix: true })).toEqual([]);
  });
});

const doctorRequest = { host: '127.0.0.1', port: 1, timeoutMs: 1000, localOnly: true };
