/**
 * A sync process killed mid-sync (kill -9) leaves its vCenter "syncing" in the cache. Readers
 * show it as interrupted at once; the next writer records it so, with the time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostileVcenter, type HostileVcenter } from '../../../testing/hostile-vcenter.js';
import { openDatabase } from '../db/database.js';
import { VcenterRepo } from '../db/vcenter-repo.js';
import { Engine } from '../engine.js';
import { showInterrupted, writerRunning } from './interrupted.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
let dataDir: string;
let stuck: HostileVcenter;
let child: ChildProcess | undefined;

const statusOf = (): string => {
  const db = openDatabase(dataDir, { readonly: true });
  try {
    return new VcenterRepo(db.db).list()[0]!.sync.status;
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  // Never finishes its RetrievePropertiesEx: the sync is "syncing" for as long as we like.
  stuck = await startHostileVcenter({ kind: 'trickle', trickleMs: 500 });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-interrupted-'));
  const engine = await Engine.open({
    dataDir,
    owner: 'test',
    vaultBackend: 'file',
    onWarning: () => undefined,
  });
  try {
    const vc = engine.vcenters.add({
      name: 'vc-stuck',
      url: stuck.url,
      username: 'u',
      thumbprint: stuck.thumbprintSha256,
      caPem: null,
    });
    await engine.setPassword(vc.id, 'pw');
  } finally {
    engine.close();
  }
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await stuck.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a sync process killed mid-sync', () => {
  it('leaves the vCenter interrupted (with the time), not syncing forever', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/testing/sync-child.ts', dataDir], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    while (statusOf() !== 'syncing') {
      if (Date.now() > deadline) throw new Error('the sync never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(writerRunning(dataDir)).toBe(true);
    child.kill('SIGKILL');
    await exited;

    // A reader beside no writer: shown as interrupted already.
    expect(writerRunning(dataDir)).toBe(false);
    const db = openDatabase(dataDir, { readonly: true });
    const shown = showInterrupted(new VcenterRepo(db.db).list(), dataDir)[0]!;
    db.close();
    expect(shown.sync.status).toBe('interrupted');
    expect(shown.sync.detail).toMatch(/the sync started at .* never finished: the process running it ended/);

    // The next writer records it, with the time; the stale lock is taken over.
    const before = Date.now();
    const engine = await Engine.open({
      dataDir,
      owner: 'test',
      vaultBackend: 'file',
      onWarning: () => undefined,
    });
    try {
      const s = engine.vcenters.list()[0]!.sync;
      expect(s.status).toBe('interrupted');
      expect(Date.parse(s.finishedAt!)).toBeGreaterThanOrEqual(before - 1000);
      expect(s.error).toBeNull();
      expect(s.detail).toMatch(/Nothing was stored; the next sync reads it again/);
    } finally {
      engine.close();
    }
    expect(statusOf()).toBe('interrupted');
  });
});
