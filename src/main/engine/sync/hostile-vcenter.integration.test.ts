/**
 * One misbehaving vCenter never takes the engine down: hostile endpoints (oversized answers,
 * deep nesting, a 200 MB text node, malformed XML, a trickle) sync in the same run as a real
 * simulator. The sync runs in a process of its own, so its peak memory can be bounded.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import {
  startHostileVcenter,
  type HostileOptions,
  type HostileVcenter,
} from '../../../testing/hostile-vcenter.js';
import { Engine } from '../engine.js';
import type { VcenterSyncResult } from './sync-runner.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MB = 1024 * 1024;
const USER = 'svc-ro@vsphere.local';
const PASSWORD = 'hostile-test-pw';

const HOSTILE: Record<string, HostileOptions> = {
  'big-service-content': { kind: 'oversized', at: 'RetrieveServiceContent', declareLength: true },
  'big-chunked-page': { kind: 'oversized' },
  'deep-nesting': { kind: 'deep', sizeMb: 50 },
  'long-text': { kind: 'long-text' },
  malformed: { kind: 'malformed' },
  trickle: { kind: 'trickle', trickleMs: 100 },
};

let dataDir: string;
let sim: RunningSimulator;
const hostiles: HostileVcenter[] = [];

function runSyncChild(dir: string): Promise<{ results: VcenterSyncResult[]; maxRssBytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/testing/sync-child.ts', dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`the sync process ended with ${signal ?? `exit ${code}`}: ${err.slice(-2000)}`));
        return;
      }
      resolve(
        JSON.parse(out.trim().split('\n').pop()!) as { results: VcenterSyncResult[]; maxRssBytes: number },
      );
    });
  });
}

beforeAll(async () => {
  sim = await startSimulator({
    vms: 60,
    clusters: 2,
    hostsPerCluster: 2,
    seed: 5,
    user: USER,
    password: PASSWORD,
  });
  for (const opts of Object.values(HOSTILE)) hostiles.push(await startHostileVcenter(opts));
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-hostile-'));
  const engine = await Engine.open({
    dataDir,
    owner: 'test',
    vaultBackend: 'file',
    onWarning: () => undefined,
  });
  try {
    const targets = [
      { name: 'real', url: sim.url, thumbprint: sim.thumbprintSha256 },
      ...Object.keys(HOSTILE).map((name, i) => ({
        name,
        url: hostiles[i]!.url,
        thumbprint: hostiles[i]!.thumbprintSha256,
      })),
    ];
    for (const t of targets) {
      const vc = engine.vcenters.add({
        name: t.name,
        url: t.url,
        username: USER,
        thumbprint: t.thumbprint,
        caPem: null,
      });
      await engine.setPassword(vc.id, PASSWORD);
    }
    // A small per-answer limit; a call timeout that ends the trickle within the test.
    engine.settings.update({ maxAnswerBytes: 16 * MB, callTimeoutMs: 8_000 });
  } finally {
    engine.close();
  }
});

afterAll(async () => {
  for (const h of hostiles) await h.close();
  await stopAll();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('hostile vCenters beside a real one', () => {
  it('fails each hostile vCenter with its own reason, syncs the real one, and stays within memory', async () => {
    const { results, maxRssBytes } = await runSyncChild(dataDir);
    const by = Object.fromEntries(results.map((r) => [r.vcenter, r]));
    expect(by['real']).toMatchObject({ status: 'ok', error: null });
    expect(by['real']!.counts?.vms).toBe(sim.counts.vms);
    expect(by['big-service-content']!.error).toMatchObject({
      code: 'ANSWER_TOO_LARGE',
      message: expect.stringMatching(/RetrieveServiceContent is 200 MB \(Content-Length\)/),
    });
    expect(by['big-chunked-page']!.error).toMatchObject({
      code: 'ANSWER_TOO_LARGE',
      message: expect.stringMatching(/RetrievePropertiesEx grew past 16 MB/),
    });
    expect(by['long-text']!.error).toMatchObject({
      code: 'ANSWER_TOO_LARGE',
      message: expect.stringMatching(/RetrievePropertiesEx grew past 16 MB/),
    });
    expect(by['deep-nesting']!.error).toMatchObject({
      code: 'ANSWER_TOO_LARGE',
      message: expect.stringMatching(/nested deeper than 256 levels/),
    });
    expect(by['malformed']!.error).toMatchObject({
      code: 'PROTOCOL',
      message: expect.stringMatching(
        /malformed answer from 127\.0\.0\.1:\d+ to RetrievePropertiesEx: .*\(line 3, column \d+\)/,
      ),
    });
    expect(by['trickle']!.error).toMatchObject({ code: 'TIMEOUT' });
    expect(maxRssBytes).toBeLessThan(600 * MB);

    // The real vCenter's rows are in the cache, the failed ones stored nothing.
    const engine = await Engine.open({
      dataDir,
      owner: 'test',
      vaultBackend: 'file',
      onWarning: () => undefined,
    });
    try {
      const states = Object.fromEntries(engine.vcenters.list().map((v) => [v.name, v.sync]));
      expect(states['real']).toMatchObject({ status: 'ok' });
      expect(states['real']!.lastSuccessAt).not.toBeNull();
      for (const name of Object.keys(HOSTILE))
        expect(states[name]).toMatchObject({ status: 'failed', lastSuccessAt: null });
      const vms = engine.database.sqlite.prepare('SELECT count(*) AS n FROM vms').get() as { n: number };
      expect(vms.n).toBe(sim.counts.vms);
    } finally {
      engine.close();
    }
  });
});

describe('hostile vCenters beside a real one, kept live (vminer serve, the desktop app)', () => {
  it('keeps the real vCenter live while the hostile ones fail with their reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-hostile-live-'));
    const before = [
      await startHostileVcenter({ kind: 'oversized', at: 'RetrieveServiceContent' }),
      await startHostileVcenter({ kind: 'long-text', at: 'RetrieveServiceContent' }),
      await startHostileVcenter({ kind: 'malformed', at: 'RetrieveServiceContent' }),
    ];
    const engine = await Engine.open({
      dataDir: dir,
      owner: 'test',
      vaultBackend: 'file',
      onWarning: () => undefined,
      live: { maxWaitSeconds: 5, backoffBaseMs: 200, backoffMaxMs: 1_000, connectTimeoutMs: 2_000 },
    });
    try {
      engine.settings.update({ maxAnswerBytes: 16 * MB });
      const targets = [
        { name: 'real', url: sim.url, thumbprint: sim.thumbprintSha256 },
        ...before.map((h, i) => ({ name: `hostile-${i}`, url: h.url, thumbprint: h.thumbprintSha256 })),
      ];
      for (const t of targets) {
        const vc = engine.vcenters.add({
          name: t.name,
          url: t.url,
          username: USER,
          thumbprint: t.thumbprint,
          caPem: null,
        });
        await engine.setPassword(vc.id, PASSWORD);
      }
      engine.live.start();
      const states = (): Record<string, { status: string; code: string | undefined }> =>
        Object.fromEntries(
          engine.vcenters.list().map((v) => [v.name, { status: v.sync.status, code: v.sync.error?.code }]),
        );
      const until = Date.now() + 60_000;
      for (;;) {
        const s = states();
        if (s['real']!.status === 'live' && before.every((_, i) => s[`hostile-${i}`]!.code !== undefined))
          break;
        if (Date.now() > until) throw new Error(`not settled: ${JSON.stringify(s)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const s = states();
      expect(s['hostile-0']!.code).toBe('ANSWER_TOO_LARGE');
      expect(s['hostile-1']!.code).toBe('ANSWER_TOO_LARGE');
      expect(s['hostile-2']!.code).toBe('PROTOCOL');
      const vms = engine.database.sqlite.prepare('SELECT count(*) FROM vms').pluck().get();
      expect(vms).toBe(sim.counts.vms);
    } finally {
      await engine.shutdown();
      engine.close();
      for (const h of before) await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
