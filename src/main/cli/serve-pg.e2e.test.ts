// `vminer serve --database` as an operator runs it (issue 18): the built CLI against a real
// PostgreSQL — refused on an unmigrated database (with the `vminer db migrate` to run) and without
// VMINER_SECRET_KEY; two instances started from VMINER_DATABASE_URL and --database on one database,
// one leading, both serving the REST API from the data copied into it, neither taking the data
// folder's lock.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorCheck } from '../../shared/doctor.js';
import { openDatabase } from '../engine/db/database.js';
import { LOCK_FILE, OS_LOCK_FILE } from '../engine/data-lock.js';
import { ensureBuiltCli, runBuiltCli } from '../../testing/built-cli.js';
import { populateCache } from '../../testing/generate-inventory.js';
import {
  connectAdmin,
  createTeamDatabase,
  findPostgresBin,
  migratedDatabase,
  pgUrl,
  startPostgres,
  teamCopyOf,
  type RunningPostgres,
} from '../../testing/postgres.js';
import { freePort } from '../../testing/net.js';
import { waitUntil } from '../../testing/wait.js';

const PW = 'Serve-Pg-e2e1';
const ADMIN_PASSWORD = 'Adm1n-team-pw';
const SECRET_KEY = 'ef'.repeat(32);
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

interface Running {
  url: string;
  stdout: () => string;
  stop: () => Promise<void>;
}

describe.skipIf(NO_PG !== '')(`vminer serve --database${NO_PG}`, { timeout: 180_000 }, () => {
  let dir: string;
  let server: RunningPostgres;
  const running: Running[] = [];

  /** Starts `vminer serve` with `args` and `env`; resolves once it prints its REST address. */
  async function start(name: string, args: string[], env: Record<string, string>): Promise<Running> {
    const logs = path.join(dir, name);
    const child = spawn(
      process.execPath,
      [ensureBuiltCli(), 'serve', '--data-dir', logs, '--port', '0', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          VMINER_DATA_DIR: '',
          VMINER_DATABASE_URL: '',
          PGPASSWORD: PW,
          VMINER_SECRET_KEY: SECRET_KEY,
          VMINER_ADMIN_PASSWORD: ADMIN_PASSWORD,
          ...env,
        },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /REST API: (http:\/\/\S+)\/api /.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
    const r: Running = {
      url,
      stdout: () => out,
      stop: async () => {
        child.kill('SIGTERM');
        await exited;
      },
    };
    running.push(r);
    return r;
  }

  async function login(url: string): Promise<string> {
    const r = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { access_token: string }).access_token;
  }

  const get = async (
    url: string,
    route: string,
    token: string,
  ): Promise<{ status: number; json: unknown }> => {
    const r = await fetch(`${url}${route}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, json: await r.json() };
  };

  beforeAll(async () => {
    ensureBuiltCli();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-serve-pg-'));
    const data = path.join(dir, 'desktop');
    const db = openDatabase(data);
    populateCache(db, { vcenters: 2, vmsTotal: 80, hostsTotal: 4, datastoresTotal: 2, seed: 6 });
    db.close();
    server = await startPostgres(PW);
    await teamCopyOf(server, 'served', data);
    const admin = await connectAdmin(server);
    try {
      await createTeamDatabase(admin, 'bare');
      await migratedDatabase(server, admin, 'checked');
    } finally {
      await admin.end();
    }
  }, 180_000);

  afterAll(async () => {
    for (const r of running.splice(0)) await r.stop();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unmigrated database, saying which `vminer db migrate` to run', () => {
    const r = runBuiltCli(['serve', '--database', pgUrl(server, 'bare'), '--data-dir', path.join(dir, 'x')], {
      env: { PGPASSWORD: PW, VMINER_SECRET_KEY: SECRET_KEY, VMINER_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toContain('is not migrated');
    expect(r.stderr).toContain(`vminer db migrate --database ${pgUrl(server, 'bare')}`);
    expect(r.stderr).not.toContain(PW);
  });

  it('vminer doctor --database: a migrated database without instances passes with warnings (exit 0); an unmigrated one fails (exit 1)', async () => {
    const env = { PGPASSWORD: PW, VMINER_SECRET_KEY: SECRET_KEY };
    const port = String(await freePort());
    const ok = runBuiltCli(
      ['doctor', '--database', pgUrl(server, 'checked'), '--port', port, '--data-dir', path.join(dir, 'doc')],
      { env },
    );
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^\[ok {2}\] database — reachable: PostgreSQL \d+/m);
    expect(ok.stdout).toMatch(/^\[WARN\] leader — lease: no instance has led on this database yet/m);
    expect(ok.stdout).toMatch(/^\[WARN\] team vault — opens: no team vault yet/m);
    expect(ok.stdout).toContain('All checks passed.');
    const bare = runBuiltCli(
      ['doctor', '--database', pgUrl(server, 'bare'), '--port', port, '--data-dir', path.join(dir, 'doc')],
      { env },
    );
    expect(bare.code).toBe(1);
    expect(bare.stdout).toMatch(
      new RegExp(
        `^\\[FAIL\\] database — migrations: 0 of \\d+ applied; missing: .*vminer db migrate --database ${pgUrl(server, 'bare')}`,
        'm',
      ),
    );
    expect(bare.stdout).toMatch(/^\[FAIL\] database — pg_trgm: the extension pg_trgm is missing/m);
  });

  it('refuses to start without VMINER_SECRET_KEY, saying what to set', () => {
    const r = runBuiltCli(
      ['serve', '--database', pgUrl(server, 'served'), '--data-dir', path.join(dir, 'y')],
      {
        env: { PGPASSWORD: PW, VMINER_SECRET_KEY: '', VMINER_ADMIN_PASSWORD: ADMIN_PASSWORD },
      },
    );
    expect(r.code, r.stdout).toBe(1);
    expect(r.stderr).toMatch(/VMINER_SECRET_KEY, which is not set/);
  });

  it('two instances on one database: one leads, both serve the copied inventory; no data-folder lock', async () => {
    const first = await start('one', [], { VMINER_DATABASE_URL: pgUrl(server, 'served') });
    expect(first.stdout()).toMatch(
      /^vMiner engine running on postgres:\/\/.*\(PostgreSQL; logs in .*\): this instance .* leads, term \d+$/m,
    );
    const t1 = await login(first.url);
    await waitUntil(
      async () => ((await get(first.url, '/api/health', t1)).json as { role: string }).role === 'leader',
      { what: 'the first instance to lead', timeout: 20_000 },
    );
    const second = await start('two', ['--database', pgUrl(server, 'served')], {});
    expect(second.stdout()).toMatch(/follows/);
    // The signing key is in the team vault: the first instance's token works on the second.
    const h2 = (await get(second.url, '/api/health', t1)).json as Record<string, unknown>;
    const h1 = (await get(first.url, '/api/health', t1)).json as Record<string, unknown>;
    expect(h1).toMatchObject({ status: 'ok', backend: 'postgres', role: 'leader' });
    expect(h2).toMatchObject({ status: 'ok', backend: 'postgres', role: 'follower', term: h1['term'] });
    expect((h2['lease'] as { instance: string }).instance).toBe(h1['instance']);
    for (const r of [first, second]) {
      const vms = await fetch(`${r.url}/api/vms?limit=5`, { headers: { authorization: `Bearer ${t1}` } });
      expect(vms.status).toBe(200);
      expect(vms.headers.get('x-total-count')).toBe('80');
      const stats = await get(r.url, '/api/stats', t1);
      expect((stats.json as { totals: { vms: number } }).totals.vms).toBe(80);
    }
    for (const name of ['one', 'two']) {
      expect(fs.existsSync(path.join(dir, name, LOCK_FILE))).toBe(false);
      expect(fs.existsSync(path.join(dir, name, OS_LOCK_FILE))).toBe(false);
      const log = fs.readFileSync(path.join(dir, name, 'logs', 'vminer.log'), 'utf8');
      const listening = log
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['msg'] === 'listening');
      expect(listening).toMatchObject({ backend: 'postgres' });
    }
    // The doctor on the served database names the leader; the copied vCenters have no passwords in
    // the team vault (copied without --with-passwords): a failed check, exit code 1.
    const doctor = runBuiltCli(
      [
        'doctor',
        '--local-only',
        '--json',
        '--port',
        String(await freePort()),
        '--data-dir',
        path.join(dir, 'doc'),
      ],
      {
        env: { PGPASSWORD: PW, VMINER_SECRET_KEY: SECRET_KEY, VMINER_DATABASE_URL: pgUrl(server, 'served') },
      },
    );
    expect(doctor.code, doctor.stderr).toBe(1);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: DoctorCheck[] };
    const status = (subject: string, step: string) =>
      report.checks.find((c) => c.subject === subject && c.step === step)?.status;
    expect(status('database', 'migrations')).toBe('ok');
    expect(status('team vault', 'opens')).toBe('ok');
    expect(status('team vault', 'secrets')).toBe('fail');
    expect(report.checks.find((c) => c.subject === 'leader')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(
        new RegExp(`^${String(h1['instance']).replace(/[/.]/g, '\\$&')} \\(host .*\\) leads`),
      ),
    });
    // The wrong key: said, not taken for missing passwords.
    const wrong = runBuiltCli(
      ['doctor', '--database', pgUrl(server, 'served'), '--local-only', '--port', String(await freePort())],
      { env: { PGPASSWORD: PW, VMINER_SECRET_KEY: 'ab'.repeat(32) }, timeoutMs: 60_000 },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(
      /\[FAIL\] team vault — opens: .*VMINER_SECRET_KEY is not the key it was encrypted with/,
    );
    expect(wrong.stdout).not.toContain(PW);

    // The leader stops cleanly: the follower leads.
    await first.stop();
    await waitUntil(
      async () => ((await get(second.url, '/api/health', t1)).json as { role: string }).role === 'leader',
      { what: 'the second instance to lead', timeout: 20_000 },
    );
  });
});
