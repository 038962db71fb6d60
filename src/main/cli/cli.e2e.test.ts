import { freePort } from '../../testing/net.js';
import { waitUntil } from '../../testing/wait.js';
import ExcelJS from 'exceljs';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, stopAll, type RunningSimulator } from '../../testing/vcsim.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'out/main/cli.js');

let dataDir: string;
let sim: RunningSimulator;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function vminer(args: string[], input?: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...args, '--data-dir', dataDir], {
    input: input ?? '',
    encoding: 'utf8',
    env: { ...process.env, VMINER_DATA_DIR: '' },
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  if (!fs.existsSync(CLI)) execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
  sim = await startSimulator({ seed: 21, vms: 30, namePrefix: 'cli', user: 'ro', password: 'S3cret&<pw>' });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-cli-'));
});

afterAll(async () => {
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('vminer CLI', () => {
  it('has --help on every command', () => {
    for (const cmd of [
      [],
      ['vcenter'],
      ['vcenter', 'probe'],
      ['vcenter', 'add'],
      ['vcenter', 'list'],
      ['vcenter', 'remove'],
      ['sync'],
      ['list'],
      ['stats'],
      ['serve'],
      ['live'],
    ]) {
      const r = vminer([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: vminer');
    }
  });

  it('probes a vCenter before trusting it', () => {
    const r = vminer(['vcenter', 'probe', sim.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(sim.thumbprintSha256);
    expect(r.stdout).toMatch(/Product:\s+VMware vCenter Server/);
    const j = JSON.parse(vminer(['vcenter', 'probe', sim.url, '--json']).stdout) as {
      certificate: { thumbprintSha256: string; subject: string; issuer: string; validTo: string };
      about: { version: string };
    };
    expect(j.certificate.thumbprintSha256).toBe(sim.thumbprintSha256);
    expect(j.certificate.issuer).toContain('CN=');
    expect(j.about.version).toMatch(/^\d/);
  });

  it('refuses an untrusted certificate or a wrong password, with what to do', () => {
    const untrusted = vminer(
      ['vcenter', 'add', 'x', '--url', sim.url, '--user', 'ro', '--password-stdin'],
      'S3cret&<pw>',
    );
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/not trusted.*vminer vcenter probe/);
    const wrong = vminer(
      [
        'vcenter',
        'add',
        'x',
        '--url',
        sim.url,
        '--user',
        'ro',
        '--password-stdin',
        '--thumbprint',
        sim.thumbprintSha256,
      ],
      'nope',
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/login failed for ro/);
    expect(wrong.stderr).not.toContain('nope');
    const noPw = vminer([
      'vcenter',
      'add',
      'x',
      '--url',
      sim.url,
      '--user',
      'ro',
      '--thumbprint',
      sim.thumbprintSha256,
    ]);
    expect(noPw.stderr).toMatch(/--password-stdin/);
  });

  it('adds vCenters: pinned as presented, by thumbprint in openssl lowercase form, and unreachable with a warning', async () => {
    const a = vminer(
      [
        'vcenter',
        'add',
        'lab',
        '--url',
        sim.url,
        '--user',
        'ro',
        '--password-stdin',
        '--trust-presented-cert',
      ],
      'S3cret&<pw>\n',
    );
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain(sim.thumbprintSha256);
    const port = await freePort();
    const b = vminer(
      [
        'vcenter',
        'add',
        'gone',
        '--url',
        `127.0.0.1:${port}`,
        '--user',
        'ro',
        '--password-stdin',
        '--thumbprint',
        sim.thumbprintSha256.toLowerCase(),
      ],
      'pw',
    );
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/warning: .*refused.*registered anyway/);
    const list = JSON.parse(vminer(['vcenter', 'list', '--json']).stdout) as {
      name: string;
      url: string;
      thumbprint: string;
    }[];
    expect(list.map((v) => v.name)).toEqual(['gone', 'lab']);
    expect(list[0]!.url).toBe(`https://127.0.0.1:${port}/sdk`);
    expect(list[0]!.thumbprint).toBe(sim.thumbprintSha256);
    const dup = vminer(
      ['vcenter', 'add', 'lab', '--url', sim.url, '--user', 'ro', '--password-stdin', '--skip-check'],
      'x',
    );
    expect(dup.stderr).toMatch(/already registered/);
  });

  it('syncs with exit 2 when some vCenter failed, naming it and its error', () => {
    const r = vminer(['sync']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/gone\s+failed.*REFUSED/);
    expect(r.stdout).toMatch(/lab\s+ok\s+30/);
    const one = vminer(['sync', 'lab', '--json']);
    expect(one.code).toBe(0);
    expect((JSON.parse(one.stdout) as { results: { status: string }[] }).results[0]!.status).toBe('ok');
    expect(vminer(['sync', 'nosuch']).code).toBe(1);
  });

  it('lists every entity as JSON with camelCase fields, and as CSV', () => {
    const fields: Record<string, string[]> = {
      vms: [
        'vcenter',
        'name',
        'datacenter',
        'cluster',
        'host',
        'powerState',
        'numCpu',
        'memoryMb',
        'guestFullName',
        'ipAddress',
        'toolsStatus',
        'annotation',
        'instanceUuid',
        'snapshotCount',
      ],
      hosts: [
        'vcenter',
        'name',
        'datacenter',
        'cluster',
        'connectionState',
        'inMaintenanceMode',
        'numCpuCores',
        'memoryMb',
        'vmCount',
      ],
      datastores: ['vcenter', 'name', 'type', 'capacityBytes', 'freeBytes', 'vmCount'],
      clusters: ['vcenter', 'name', 'datacenter', 'hostCount', 'vmCount', 'drsEnabled', 'haEnabled'],
      datacenters: ['vcenter', 'name'],
      networks: ['vcenter', 'name'],
      snapshots: ['vcenter', 'vm', 'name', 'createdAt'],
    };
    for (const [entity, want] of Object.entries(fields)) {
      const r = vminer(['list', entity, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
      expect(rows.length, entity).toBeGreaterThan(0);
      for (const f of want) expect(Object.keys(rows[0]!), `${entity}.${f}`).toContain(f);
    }
    const vms = JSON.parse(vminer(['list', 'vms', '--json']).stdout) as {
      powerState: string;
      vcenter: string;
    }[];
    expect(vms).toHaveLength(30);
    expect(
      vms.every(
        (v) => ['poweredOn', 'poweredOff', 'suspended'].includes(v.powerState) && v.vcenter === 'lab',
      ),
    ).toBe(true);
    const csv = vminer(['list', 'hosts', '--csv']).stdout.split('\r\n');
    expect(csv[0]).toMatch(/^vcenter,moid,name,/);
    expect(csv.filter(Boolean)).toHaveLength(1 + sim.counts.hosts);
    expect(vminer(['list', 'widgets']).stderr).toMatch(/unknown entity "widgets"/);
  });

  it("exports the estate in RVTools' layout with --format rvtools, and refuses it for one entity", async () => {
    const out = path.join(os.tmpdir(), `vminer-cli-rvtools-${process.pid}.xlsx`);
    try {
      const r = vminer(['export', '--format', 'rvtools', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/vInfo 30\b/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(out);
      expect(wb.worksheets.map((w) => w.name).slice(0, 4)).toEqual(['vInfo', 'vCPU', 'vMemory', 'vDisk']);
      const vInfo = wb.getWorksheet('vInfo')!;
      expect(vInfo.getRow(1).getCell(1).value).toBe('VM');
      expect(vInfo.rowCount).toBe(31);
    } finally {
      fs.rmSync(out, { force: true });
    }
    const one = vminer(['export', '--format', 'rvtools', '--entity', 'vms', '--out', out]);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/RVTools layout is the whole estate/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('asks: an unknown word is named, machine-readable, with exit 3; never answered more broadly', () => {
    const r = vminer(['ask', 'vms with lots of memory', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const a = JSON.parse(r.stdout) as {
      kind: string;
      understood: boolean;
      unknownWords: string[];
      rows: unknown[];
    };
    expect(a).toMatchObject({ kind: 'not_understood', understood: false, rows: [] });
    expect(a.unknownWords).toContain('lots');
    const text = vminer(['ask', 'zombie', 'vms']);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain('Not understood: zombie');
    const ok = vminer(['ask', 'powered on vms', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ kind: 'rows', understood: true });
  });

  it('prints stats per entity and per vCenter', () => {
    const s = JSON.parse(vminer(['stats', '--json']).stdout) as {
      totals: Record<string, number>;
      vcenters: {
        name: string;
        status: string;
        lastSuccessAt: string | null;
        counts: Record<string, number>;
      }[];
    };
    expect(s.totals['vms']).toBe(30);
    const lab = s.vcenters.find((v) => v.name === 'lab')!;
    expect(lab).toMatchObject({ status: 'ok', counts: { vms: 30, hosts: sim.counts.hosts } });
    expect(lab.lastSuccessAt).not.toBeNull();
    expect(s.vcenters.find((v) => v.name === 'gone')).toMatchObject({
      status: 'failed',
      lastSuccessAt: null,
    });
  });

  it('refuses a second writer while serve holds the data folder; readers still work', async () => {
    // Without a TTY and without users, serve refuses to start with no admin password.
    const refused = vminer(['serve', '--port', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/VMINER_ADMIN_PASSWORD/);
    const serve = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VMINER_ADMIN_PASSWORD: 'first-admin-pw' },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        serve.stdout.on('data', (d: Buffer) =>
          d.toString().includes('engine running') ? resolve() : undefined,
        );
        serve.on('exit', (c) => reject(new Error(`serve exited with ${c}`)));
      });
      const r = vminer(['sync']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/in use by vminer serve \(pid \d+/);
      expect(vminer(['list', 'vms', '--json']).code).toBe(0);
      expect(vminer(['stats']).code).toBe(0);
      // serve keeps every vCenter live by default; readers see it (and why one is not).
      const states = (): Record<string, { status: string; error: { message: string } | null }> =>
        Object.fromEntries(
          (
            JSON.parse(vminer(['vcenter', 'list', '--json']).stdout) as {
              name: string;
              sync: { status: string; error: { message: string } | null };
            }[]
          ).map((v) => [v.name, v.sync]),
        );
      await vi.waitFor(() => expect(states()['lab']?.status).toBe('live'), {
        timeout: 30_000,
        interval: 200,
      });
      await vi.waitFor(() => expect(states()['gone']?.status).toBe('reconnecting'), {
        timeout: 30_000,
        interval: 200,
      });
      expect(states()['gone']?.error?.message).toMatch(/gone: .*refused.*live updates retry in \d+ s/);
      const live = vminer(['live']);
      expect(live.code).toBe(0);
      expect(live.stdout).toMatch(/Updates: live updates/);
      expect(live.stdout).toMatch(/lab\s+live/);
    } finally {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.on('exit', r));
    }
    // A stopped server leaves true statuses behind: data "ok" as of its last change.
    expect(
      (
        JSON.parse(vminer(['vcenter', 'list', '--json']).stdout) as {
          name: string;
          sync: { status: string };
        }[]
      ).find((v) => v.name === 'lab')?.sync.status,
    ).toBe('ok');
    expect(vminer(['vcenter', 'remove', 'gone']).stdout).toContain('Removed gone');
    expect((JSON.parse(vminer(['vcenter', 'list', '--json']).stdout) as unknown[]).length).toBe(1);
  });

  it('one writer, really: after kill -9 of serve, two syncs started at once — one syncs, the other is refused (3 rounds)', async () => {
    // "hole" accepts connections and never answers: the winning sync stays on it until the test
    // lets go, so the loser's refusal cannot come from a sync that had already finished.
    const sockets: net.Socket[] = [];
    const hole = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const port = (hole.address() as net.AddressInfo).port;
    const add = vminer(
      ['vcenter', 'add', 'hole', '--url', `127.0.0.1:${port}`, '--user', 'ro', '--password-stdin'].concat([
        '--thumbprint',
        sim.thumbprintSha256,
        '--skip-check',
      ]),
      'pw',
    );
    expect(add.code, add.stderr).toBe(0);
    const run = (args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir], {
          env: { ...process.env, VMINER_DATA_DIR: '', VMINER_ADMIN_PASSWORD: 'first-admin-pw' },
        });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      });
    try {
      for (let round = 0; round < 3; round++) {
        const serve = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--port', '0'], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, VMINER_DATA_DIR: '' },
        });
        await new Promise<void>((resolve, reject) => {
          serve.stdout.on('data', (d: Buffer) =>
            d.toString().includes('engine running') ? resolve() : undefined,
          );
          serve.on('exit', (c) => reject(new Error(`serve exited with ${c}`)));
        });
        serve.kill('SIGKILL');
        await new Promise((r) => serve.once('exit', r));
        const syncs = [run(['sync', 'hole']), run(['sync', 'hole'])];
        const first = await Promise.race(syncs);
        expect(first.code, first.stderr).toBe(1);
        expect(first.stderr).toMatch(/in use by vminer sync \(pid \d+/);
        await waitUntil(() => sockets.length > 0, {
          timeout: 20_000,
          what: 'the winning sync to reach the vCenter',
        });
        for (const s of sockets.splice(0)) s.destroy();
        const both = await Promise.all(syncs);
        const winner = both.find((r) => r !== first)!;
        expect(winner.code, winner.stderr).toBe(2);
        expect(winner.stdout).toMatch(/hole\s+failed/);
      }
    } finally {
      hole.close();
      for (const s of sockets) s.destroy();
    }
    expect(vminer(['vcenter', 'remove', 'hole']).code).toBe(0);
  });

  it('switches the update mode: both (with a nightly safety net), off, pause and resume', () => {
    const both = JSON.parse(vminer(['live', 'both', '--json']).stdout) as {
      mode: string;
      paused: boolean;
      scheduler: { enabled: boolean; cron: string | null };
    };
    expect(both).toMatchObject({
      mode: 'both',
      paused: false,
      scheduler: { enabled: true, cron: '0 2 * * *' },
    });
    expect(vminer(['live', 'pause']).stdout).toMatch(/PAUSED/);
    expect(JSON.parse(vminer(['live', 'status', '--json']).stdout)).toMatchObject({
      mode: 'both',
      paused: true,
    });
    expect(vminer(['live', 'resume']).code).toBe(0);
    expect(JSON.parse(vminer(['live', 'off', '--json']).stdout)).toMatchObject({
      mode: 'scheduled',
      paused: false,
    });
    expect(vminer(['live', 'sideways']).stderr).toMatch(/unknown action "sideways"/);
    expect(JSON.parse(vminer(['live', 'on', '--json']).stdout)).toMatchObject({ mode: 'live' });
  });
});
