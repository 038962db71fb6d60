/**
 * A large list lands in one transaction with prepared statements: time grows with the rows
 * (100,000 rows against 10,000), not with rows times the registry.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../api.js';
import { Engine } from '../engine.js';

const dirs: string[] = [];
const engines: Engine[] = [];

afterEach(() => {
  for (const e of engines.splice(0)) e.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function freshEngine(): Promise<Engine> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-import-scale-'));
  dirs.push(dir);
  const engine = await Engine.open({
    dataDir: dir,
    owner: 'test',
    vaultBackend: 'file',
    onWarning: () => undefined,
  });
  engines.push(engine);
  return engine;
}

function list(n: number): string {
  const lines = ['name,host,port,username,site,tags'];
  for (let i = 0; i < n; i++)
    lines.push(
      `vc-${i},vc-${i}.corp.example,${i % 5 ? 443 : 8443},${i % 3 ? '' : `ops${i % 7}`},site-${i % 50},"a,b"`,
    );
  return lines.join('\n');
}

async function timedApply(n: number): Promise<{ ms: number; engine: Engine; content: string }> {
  const engine = await freshEngine();
  const content = list(n);
  const h = createHandlers(engine);
  const t0 = performance.now();
  const r = await h['import.apply']({ content, encoding: 'utf8' });
  const ms = performance.now() - t0;
  expect(r.counts).toEqual({ add: n, update: 0, skip: 0 });
  expect(r.addedIds).toHaveLength(n);
  return { ms, engine, content };
}

describe('importing a large list', () => {
  it('applies 100,000 rows in time linear in the rows (against 10,000)', async () => {
    await timedApply(1_000); // warm-up
    const small = await timedApply(10_000);
    const large = await timedApply(100_000);
    // Linear is about 10x; one registry lookup per row (what this replaced) was about 100x.
    expect(large.ms / small.ms).toBeLessThan(25);
    const db = large.engine.database.sqlite;
    expect((db.prepare('SELECT count(*) AS n FROM vcenters').get() as { n: number }).n).toBe(100_000);
    expect(
      (db.prepare("SELECT count(*) AS n FROM sync_state WHERE status = 'idle'").get() as { n: number }).n,
    ).toBe(100_000);
    const vc = large.engine.vcenters.findByName('vc-10');
    expect(vc).toMatchObject({
      url: 'https://vc-10.corp.example:8443/sdk',
      site: 'site-10',
      tags: ['a', 'b'],
    });
    // The same list again: nothing changes.
    const again = await createHandlers(large.engine)['import.preview']({
      content: large.content,
      encoding: 'utf8',
    });
    expect(again.counts).toEqual({ add: 0, update: 0, skip: 100_000 });
  });

  it('lands whole or not at all: one refused row leaves the registry as it was', async () => {
    const engine = await freshEngine();
    engine.vcenters.add({
      name: 'vc-taken',
      url: 'https://taken.corp/sdk',
      username: 'u',
      thumbprint: null,
      caPem: null,
    });
    const row = { username: '', thumbprint: null, caPem: null };
    expect(() =>
      engine.vcenters.bulkWrite(
        [
          { ...row, name: 'vc-new-1', url: 'new-1.corp' },
          { ...row, name: 'vc-new-2', url: 'https://TAKEN.corp:443/sdk' },
        ],
        [],
      ),
    ).toThrow(/already registered as "vc-taken"/);
    expect(() => engine.vcenters.bulkWrite([{ ...row, name: 'vc\u202Ex', url: 'x.corp' }], [])).toThrow(
      /U\+202E/,
    );
    expect(engine.vcenters.list().map((v) => v.name)).toEqual(['vc-taken']);
  });
});
