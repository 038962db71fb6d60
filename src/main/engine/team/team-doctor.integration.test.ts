/**
 * The doctor on a team database (issue 18): through a running TeamEngine (`doctor.run`) and on its
 * own connections as `vminer doctor --database` runs it, on a real PostgreSQL and a vSphere
 * simulator: a healthy database, a missing migration, a wrong VMINER_SECRET_KEY, a vCenter without
 * its password and an unreachable one, an unreachable database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../../shared/contract.js';
import type { DoctorReport } from '../../../shared/doctor.js';
import { freePort } from '../../../testing/net.js';
import {
  connectAdmin,
  findPostgresBin,
  migratedDatabase,
  pgUrl,
  startPostgres,
  type RunningPostgres,
} from '../../../testing/postgres.js';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { createHandlers } from '../api.js';
import { pgTarget, type PgTarget } from './pg-connection.js';
import { runTeamDoctor } from './team-doctor.js';
import { TeamEngine } from './team-engine.js';

const PW = 'Team-Doctor-Pg1';
const USER = 'doctor-ro';
const PASSWORD = 'doctor-secret';
const KEY = 'ab'.repeat(32);
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

const by = (report: DoctorReport, subject: string): string[] =>
  report.checks.filter((c) => c.subject === subject).map((c) => `${c.step}:${c.status}`);
const detail = (report: DoctorReport, subject: string, step: string): string =>
  report.checks.find((c) => c.subject === subject && c.step === step)?.detail ?? '(no such check)';

describe.skipIf(NO_PG !== '')(`vminer doctor on a team database${NO_PG}`, { timeout: 180_000 }, () => {
  let dir: string;
  let server: RunningPostgres;
  let target: PgTarget;
  let sim: RunningSimulator;
  let engine: TeamEngine;

  async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
    const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
    return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
  }

  /** As `vminer doctor --database` runs it: its own connections, no instance of the team. */
  const standalone = async (env: NodeJS.ProcessEnv, on = target, localOnly = false) =>
    runTeamDoctor(
      { target: on, logDir: path.join(dir, 'cli'), env },
      { host: '127.0.0.1', port: await freePort(), timeoutMs: 3_000, localOnly },
    );

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-team-doctor-'));
    server = await startPostgres(PW);
    const admin = await connectAdmin(server);
    try {
      await migratedDatabase(server, admin, 'doc');
      await migratedDatabase(server, admin, 'behind');
    } finally {
      await admin.end();
    }
    target = pgTarget(pgUrl(server, 'doc'), { password: PW, applicationName: 'team doctor test' });
    sim = await startSimulator({ vms: 3, user: USER, password: PASSWORD });
    engine = await TeamEngine.open({
      target,
      logDir: path.join(dir, 'a'),
      instance: 'doctor-a',
      env: { VMINER_SECRET_KEY: KEY },
      vaultRefreshMs: 0,
      leader: { retryMs: 200, renewMs: 500, leaseTimeoutMs: 3_000, takeoverAfterMs: 6_000 },
      onWarning: () => undefined,
    });
    await call('vcenters.add', {
      name: 'good',
      url: sim.url,
      username: USER,
      password: PASSWORD,
      thumbprint: sim.thumbprintSha256,
    });
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
    await stopAll();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a healthy database: every check passes, through the engine and on its own connections', async () => {
    const report = await call('doctor.run', { port: await freePort(), timeoutMs: 3_000 });
    expect(by(report, 'database')).toEqual(['reachable:ok', 'migrations:ok', 'pg_trgm:ok', 'collation:ok']);
    expect(detail(report, 'database', 'reachable')).toMatch(/^PostgreSQL \d+\.\d+.* at postgres:\/\//);
    expect(detail(report, 'database', 'migrations')).toMatch(/^(\d+) of \1 applied$/);
    expect(by(report, 'leader')).toEqual(['lease:ok']);
    expect(detail(report, 'leader', 'lease')).toMatch(
      /^this instance \(host .*\) leads, term \d+, since .*renewed/,
    );
    expect(by(report, 'team vault')).toEqual(['opens:ok', 'secrets:ok']);
    expect(by(report, 'vCenter good')).toEqual(['DNS:ok', 'TCP:ok', 'TLS:ok', 'login:ok']);
    expect(by(report, 'log folder')).toEqual(['writable:ok']);
    expect(by(report, 'REST listener')).toEqual(['port free:ok']);
    expect(report.ok, JSON.stringify(report.checks, null, 1)).toBe(true);

    const cli = await standalone({ VMINER_SECRET_KEY: KEY });
    expect(cli.checks.map((c) => `${c.subject}/${c.step}:${c.status}`)).toEqual(
      report.checks.map((c) => `${c.subject}/${c.step}:${c.status}`),
    );
    expect(detail(cli, 'leader', 'lease')).toMatch(/^doctor-a \(host .*\) leads/);
    expect(detail(cli, 'team vault', 'opens')).toMatch(/VMINER_SECRET_KEY opens it \(\d+ secrets stored\)/);
  });

  it('a wrong VMINER_SECRET_KEY, or none: the vault check says so, and the logins do not pretend a password is missing', async () => {
    const wrong = await standalone({ VMINER_SECRET_KEY: 'cd'.repeat(32) });
    expect(by(wrong, 'team vault')).toEqual(['opens:fail']);
    expect(detail(wrong, 'team vault', 'opens')).toMatch(
      /VMINER_SECRET_KEY is not the key it was encrypted with/,
    );
    expect(by(wrong, 'vCenter good')).toEqual(['DNS:ok', 'TCP:ok', 'TLS:ok', 'login:fail']);
    expect(detail(wrong, 'vCenter good', 'login')).toMatch(/the team vault did not open/);
    expect(wrong.ok).toBe(false);

    const none = await standalone({}, target, true);
    expect(by(none, 'team vault')).toEqual(['opens:fail']);
    expect(detail(none, 'team vault', 'opens')).toMatch(/VMINER_SECRET_KEY.*not set/);
    expect(none.ok).toBe(false);
  });

  it('a vCenter without its password and one nobody answers at: named with their ids', async () => {
    const downPort = await freePort();
    const nopw = await engine.vcenters.add({
      name: 'nopw',
      // The same simulator under another address (one address belongs to one vCenter).
      url: sim.url.replace('127.0.0.1', 'localhost'),
      username: USER,
      thumbprint: sim.thumbprintSha256,
      caPem: null,
    });
    await call('vcenters.add', {
      name: 'down',
      url: `127.0.0.1:${downPort}`,
      username: 'u',
      password: 'p#1',
    });
    try {
      const report = await call('doctor.run', { port: await freePort(), timeoutMs: 3_000 });
      expect(by(report, 'team vault')).toEqual(['opens:ok', 'secrets:fail']);
      expect(detail(report, 'team vault', 'secrets')).toBe(
        `vCenter nopw (id ${nopw.id}): no password is stored for ${USER}: \`vminer vcenter set-password nopw\` or the vCenters page (Edit)`,
      );
      expect(by(report, 'vCenter nopw')).toEqual(['DNS:ok', 'TCP:ok', 'TLS:ok', 'login:fail']);
      expect(detail(report, 'vCenter nopw', 'login')).toMatch(/no password is stored/);
      expect(by(report, 'vCenter down')).toEqual(['DNS:ok', 'TCP:fail']);
      expect(detail(report, 'vCenter down', 'TCP')).toContain(`127.0.0.1:${downPort}`);
      expect(by(report, 'vCenter good')).toEqual(['DNS:ok', 'TCP:ok', 'TLS:ok', 'login:ok']);
      expect(report.ok).toBe(false);

      // --local-only: the secrets are still checked (no network needed), the vCenters are not.
      const local = await standalone({ VMINER_SECRET_KEY: KEY }, target, true);
      expect(by(local, 'team vault')).toEqual(['opens:ok', 'secrets:fail']);
      expect(local.checks.some((c) => c.subject.startsWith('vCenter'))).toBe(false);
      expect(local.ok).toBe(false);
    } finally {
      await engine.removeVcenter(nopw.id);
      const down = engine.vcenters.list().find((v) => v.name === 'down');
      if (down) await engine.removeVcenter(down.id);
    }
  });

  it('a missing migration: named, with the command that applies it; no vault is created by looking', async () => {
    const behind = pgTarget(pgUrl(server, 'behind'), { password: PW });
    const admin = await connectAdmin(server, 'behind');
    try {
      await admin.query(
        'DELETE FROM drizzle.__drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM drizzle.__drizzle_migrations)',
      );
      const report = await standalone({ VMINER_SECRET_KEY: KEY }, behind, true);
      expect(by(report, 'database')).toEqual([
        'reachable:ok',
        'migrations:fail',
        'pg_trgm:ok',
        'collation:ok',
      ]);
      expect(detail(report, 'database', 'migrations')).toMatch(
        /^(\d+) of \d+ applied; missing: \d{4}_\w+\. Run `vminer db migrate --database postgres:\/\/vminer_admin@127\.0\.0\.1:\d+\/behind`/,
      );
      expect(by(report, 'leader')).toEqual(['lease:warn']);
      expect(detail(report, 'leader', 'lease')).toMatch(/no instance has led on this database yet/);
      expect(by(report, 'team vault')).toEqual(['opens:warn', 'secrets:ok']);
      expect(detail(report, 'team vault', 'opens')).toMatch(/no team vault yet/);
      expect(report.ok).toBe(false);
      expect((await admin.query('SELECT count(*)::int AS n FROM vault')).rows[0]).toEqual({ n: 0 });
    } finally {
      await admin.end();
    }
  });

  it('a leader that stepped down and a database nobody answers at', async () => {
    const unreachable = pgTarget(`postgres://u@127.0.0.1:${await freePort()}/x`, { password: 'p' });
    const report = await standalone({ VMINER_SECRET_KEY: KEY }, unreachable, true);
    expect(by(report, 'database')).toEqual(['reachable:fail']);
    expect(detail(report, 'database', 'reachable')).toMatch(
      /nothing answers at 127\.0\.0\.1:\d+.*is PostgreSQL running/,
    );
    expect(report.checks.map((c) => c.subject)).toEqual(['log folder', 'database', 'REST listener']);
    expect(report.ok).toBe(false);

    await engine.close();
    const after = await standalone({ VMINER_SECRET_KEY: KEY }, target, true);
    expect(by(after, 'leader')).toEqual(['lease:warn']);
    expect(detail(after, 'leader', 'lease')).toMatch(
      /^no instance leads: the last leader, doctor-a .* stepped down at/,
    );
    expect(after.ok).toBe(true);
  });
});
