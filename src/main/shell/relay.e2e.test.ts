// The relay end to end: renderer IPC → main-process relay → MessageChannel (standing in for the
// utility process) → engine host → a real Engine on a temp SQLite file, and events back.
import { waitUntil } from '../../testing/wait.js';
import { freePort } from '../../testing/net.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectDetails, RequestArgs } from '../../shared/contract.js';
import { IPC, type CallOutcome, type ExportProgress } from '../../shared/ipc.js';
import { openDatabase } from '../engine/db/database.js';
import { populateCache } from '../../testing/generate-inventory.js';
import { Engine } from '../engine/engine.js';
import { ProcessSupervisor } from './process-supervisor.js';
import { runEngineHost } from '../engine-host.js';
import {
  IPC_REQUESTS,
  forwardEngineEvents,
  registerContractRelay,
  type IpcMainLike,
  type IpcRequestName,
} from './ipc-relay.js';
import { fromNodePort } from '../rpc/port.js';
import { saveExport, type SaveExportDeps } from './save-export.js';
import { isFromEngine, isToEngine, type FromEngine, type ToEngine } from '../rpc/protocol.js';
import type { IpcEventLike } from './security.js';

let dir: string;
/** Exports go beside the data folder, never into it. */
let outDir: string;
let supervisor: ProcessSupervisor;
let invoke: (event: IpcEventLike, name: unknown, args?: unknown) => Promise<CallOutcome<unknown>>;
const sent: { name: string; payload: unknown }[] = [];
const notices: { level: string; message: string }[] = [];
let exitCode: number | undefined;
let vcIds: number[];
let detailVm: {
  vcenterId: number;
  moid: string;
  disks: number;
  nics: number;
  partitions: number;
  tags: number;
  attributes: number;
};

const trusted: IpcEventLike = {
  sender: { id: 1 },
  senderFrame: { url: 'file:///app/index.html', parent: null },
};
const stranger: IpcEventLike = {
  sender: { id: 1 },
  senderFrame: { url: 'https://evil.example/', parent: null },
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-relay-'));
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-relay-out-'));
  const opened = openDatabase(dir);
  vcIds = populateCache(opened, {
    vcenters: 2,
    vmsTotal: 300,
    hostsTotal: 12,
    datastoresTotal: 6,
    seed: 5,
  }).vcenterIds;
  // A VM with disks, NICs, partitions, tags and custom attributes, for inventory.details.
  detailVm = opened.sqlite
    .prepare(
      `SELECT v.vcenter_id AS vcenterId, v.moid, v.disk_count AS disks, v.nic_count AS nics,
        (SELECT count(*) FROM vm_partitions p WHERE p.vcenter_id = v.vcenter_id AND p.vm_moid = v.moid) AS partitions,
        (SELECT count(*) FROM tag_assignments t WHERE t.vcenter_id = v.vcenter_id AND t.object_moid = v.moid) AS tags,
        (SELECT count(*) FROM vm_custom_values c WHERE c.vcenter_id = v.vcenter_id AND c.vm_moid = v.moid) AS attributes
       FROM vms v WHERE disk_count > 1 AND nic_count > 0 AND partitions > 0 AND tags > 0 AND attributes > 0 LIMIT 1`,
    )
    .get() as typeof detailVm;
  opened.close();

  const { port1, port2 } = new MessageChannel();
  runEngineHost(fromNodePort<ToEngine, FromEngine>(port1, isToEngine), {
    openEngine: (cfg, onWarning) =>
      Engine.open({ dataDir: cfg.dataDir, owner: 'relay test', vaultBackend: 'file', onWarning }),
    exit: (code) => {
      exitCode = code;
    },
    shutdownGraceMs: 2000,
  });
  supervisor = new ProcessSupervisor({
    config: { dataDir: dir, version: 'test' },
    spawn: () => ({
      port: fromNodePort<FromEngine, ToEngine>(port2, isFromEngine),
      onExit: () => {},
      kill: () => port2.close(),
    }),
  });
  supervisor.onNotice((level, message) => notices.push({ level, message }));
  supervisor.start();

  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  registerContractRelay({
    ipcMain,
    isTrusted: (e) => e.senderFrame?.url === 'file:///app/index.html',
    engine: supervisor,
  });
  forwardEngineEvents(supervisor, (channel, name, payload) => {
    expect(channel).toBe(IPC.event);
    sent.push({ name, payload });
  });
  invoke = async (event, name, args) =>
    (await handlers.get(IPC.call)!(event, name, args)) as CallOutcome<unknown>;
  await waitUntil(() => supervisor.state.state === 'ready');
});

afterAll(async () => {
  await supervisor.stop(5000);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

const value = <T>(o: CallOutcome<unknown>): T => {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value as T;
};

type IpcRequest = IpcRequestName;

describe('the relay, end to end over a MessageChannel', () => {
  it('relays every contract entry allowed over IPC to the engine and answers with its result', async () => {
    let added = 0;
    let accountId = 0;
    let sourceId = 0;
    // One case per entry the window may call: a contract entry without a case fails to compile.
    const cases: {
      [K in IpcRequest]: { args: () => RequestArgs<K>; check: (o: CallOutcome<unknown>) => void };
    } = {
      'vcenters.list': { args: () => ({}), check: (o) => expect(value<unknown[]>(o)).toHaveLength(2) },
      'vcenters.get': {
        args: () => ({ id: vcIds[0]! }),
        check: (o) => expect(value<{ id: number }>(o).id).toBe(vcIds[0]),
      },
      'vcenters.probe': {
        // Nothing listens on port 1: the engine's probe answers with a coded network error.
        args: () => ({ url: 'https://127.0.0.1:1/sdk' }),
        check: (o) => {
          expect(o.ok).toBe(false);
          if (!o.ok) expect(o.error.code).toBe('REFUSED');
        },
      },
      'vcenters.add': {
        args: () => ({
          name: 'vc-new',
          url: 'https://127.0.0.1:1/sdk',
          username: 'ro',
          password: 'pw-relay-1',
        }),
        check: (o) => {
          added = value<{ id: number }>(o).id;
          expect(added).toBeGreaterThan(0);
        },
      },
      'vcenters.update': {
        args: () => ({ id: added, name: 'vc-renamed' }),
        check: (o) => expect(value<{ name: string }>(o).name).toBe('vc-renamed'),
      },
      'vcenters.remove': {
        args: () => ({ id: added }),
        check: (o) => expect(value(o)).toEqual({ removed: true }),
      },
      'sync.start': {
        args: () => ({ vcenterIds: [] }),
        check: (o) => expect(value(o)).toEqual({ started: [] }),
      },
      'sync.cancel': { args: () => ({}), check: (o) => expect(value(o)).toEqual({ cancelled: true }) },
      'query.ask': {
        args: () => ({ question: 'how many powred off vms' }),
        check: (o) => expect(value<{ kind: string }>(o).kind).toBeTruthy(),
      },
      'inventory.list': {
        args: () => ({ entity: 'vms', limit: 5, sort: [{ field: 'memoryMb', dir: 'desc' }] }),
        check: (o) => {
          const r = value<{ items: { memoryMb: number }[]; total: number }>(o);
          expect(r.total).toBe(300);
          expect(r.items).toHaveLength(5);
          expect(r.items[0]!.memoryMb).toBeGreaterThanOrEqual(r.items[4]!.memoryMb);
        },
      },
      'inventory.details': {
        args: () => ({ entity: 'vms', vcenterId: detailVm.vcenterId, moid: detailVm.moid }),
        check: (o) => {
          const d = value<ObjectDetails>(o);
          expect({
            disks: d.disks.length,
            nics: d.nics.length,
            partitions: d.partitions.length,
            tags: d.tags.length,
            attributes: d.attributes.length,
          }).toEqual({
            disks: detailVm.disks,
            nics: detailVm.nics,
            partitions: detailVm.partitions,
            tags: detailVm.tags,
            attributes: detailVm.attributes,
          });
          expect(d.disks[0]).toMatchObject({ name: 'Hard disk 1', thin: expect.any(Boolean) });
        },
      },
      'changes.list': {
        args: () => ({ since: '7d', limit: 5 }),
        check: (o) => {
          const p = value<{ items: unknown[]; counts: Record<string, number>; since: string }>(o);
          expect(Object.keys(p.counts).sort()).toEqual(['changed', 'created', 'first-sync', 'removed']);
          expect(p.items.length).toBeLessThanOrEqual(Object.values(p.counts).reduce((a, b) => a + b, 0));
          expect(Date.parse(p.since)).toBeGreaterThan(Date.now() - 8 * 86_400_000);
        },
      },
      'stats.get': {
        args: () => ({}),
        check: (o) => expect(value<{ totals: { vms: number } }>(o).totals.vms).toBe(300),
      },
      'settings.get': {
        args: () => ({}),
        check: (o) => expect(value<{ rest: { enabled: boolean } }>(o).rest.enabled).toBe(false),
      },
      'settings.update': {
        args: () => ({ syncWorkers: 3 }),
        check: (o) => expect(value<{ syncWorkers: number }>(o).syncWorkers).toBe(3),
      },
      'scheduler.configure': {
        args: () => ({ intervalMinutes: 45 }),
        check: (o) => expect(value<{ intervalMinutes: number }>(o).intervalMinutes).toBe(45),
      },
      'live.status': {
        args: () => ({}),
        check: (o) => expect(value<{ mode: string }>(o).mode).toBe('live'),
      },
      'scheduler.state': {
        args: () => ({}),
        check: (o) => expect(value<{ enabled: boolean; running: boolean }>(o).running).toBe(false),
      },
      'scheduler.start': {
        args: () => ({}),
        check: (o) => expect(value<{ enabled: boolean; nextRunAt: string }>(o).nextRunAt).toBeTruthy(),
      },
      'scheduler.stop': {
        args: () => ({}),
        check: (o) => expect(value<{ enabled: boolean }>(o).enabled).toBe(false),
      },
      'users.add': {
        args: () => ({ username: 'ipc-viewer', password: 'viewer-password-1', role: 'viewer' as const }),
        check: (o) => expect(value<{ username: string }[]>(o).map((u) => u.username)).toContain('ipc-viewer'),
      },
      'users.setPassword': {
        args: () => ({ username: 'ipc-viewer', password: 'viewer-password-2' }),
        check: (o) => expect(value<{ updated: boolean }>(o).updated).toBe(true),
      },
      'users.setRole': {
        // Stays a viewer: made the only admin, it could not be removed below.
        args: () => ({ username: 'ipc-viewer', role: 'viewer' }),
        check: (o) =>
          expect(
            value<{ username: string; role: string }[]>(o).find((u) => u.username === 'ipc-viewer')?.role,
          ).toBe('viewer'),
      },
      'users.list': {
        args: () => ({}),
        check: (o) =>
          expect(value<{ username: string }[]>(o).some((u) => u.username === 'ipc-viewer')).toBe(true),
      },
      'users.remove': {
        args: () => ({ username: 'ipc-viewer' }),
        check: (o) =>
          expect(value<{ username: string }[]>(o).map((u) => u.username)).not.toContain('ipc-viewer'),
      },
      'engine.info': {
        args: () => ({}),
        check: (o) => expect(value<{ dataDir: string }>(o).dataDir).toBeTruthy(),
      },
      'accounts.add': {
        args: () => ({
          name: 'svc-ro',
          username: 'svc@vsphere.local',
          password: 'svc-pw-1',
          isDefault: true,
        }),
        check: (o) => {
          accountId = value<{ id: number }>(o).id;
          expect(accountId).toBeGreaterThan(0);
        },
      },
      'accounts.update': {
        args: () => ({ id: accountId, name: 'svc-readonly' }),
        check: (o) => expect(value<{ name: string }>(o).name).toBe('svc-readonly'),
      },
      'accounts.list': {
        args: () => ({}),
        check: (o) => expect(value<{ name: string }[]>(o).map((a) => a.name)).toContain('svc-readonly'),
      },
      'accounts.remove': {
        args: () => ({ id: accountId }),
        check: (o) => expect(value<{ removed: boolean }>(o).removed).toBe(true),
      },
      'import.preview': {
        args: () => ({ content: 'name,host\nvc-imp,vc-imp.corp.example\n', encoding: 'utf8' as const }),
        check: (o) => expect(JSON.stringify(value(o))).toContain('vc-imp'),
      },
      'import.apply': {
        args: () => ({ content: 'name,host\nvc-imp,vc-imp.corp.example\n', encoding: 'utf8' as const }),
        check: (o) => expect(JSON.stringify(value(o))).toContain('vc-imp'),
      },
      'sources.add': {
        args: () => ({
          name: 'cmdb',
          kind: 'postgres' as const,
          connection: {
            server: '127.0.0.1',
            port: 1,
            database: 'cmdb',
            user: 'u',
            auth: 'sql' as const,
            encrypt: false,
            trustServerCertificate: false,
          },
          password: 'db-pw-1',
          refreshMinutes: 60,
          enabled: false,
        }),
        check: (o) => {
          sourceId = value<{ id: number }>(o).id;
          expect(sourceId).toBeGreaterThan(0);
        },
      },
      'sources.update': {
        args: () => ({ id: sourceId, refreshMinutes: 30 }),
        check: (o) => expect(value<{ refreshMinutes: number }>(o).refreshMinutes).toBe(30),
      },
      'sources.list': {
        args: () => ({}),
        check: (o) => expect(value<{ name: string }[]>(o).map((x) => x.name)).toContain('cmdb'),
      },
      // Port 1 is closed: the engine's own error comes back through the relay, code intact.
      'sources.test': {
        args: () => ({ id: sourceId }),
        check: (o) => expect(o.ok ? 'ok' : o.error.code).not.toMatch(/^(ok|INTERNAL|INVALID_INPUT)$/),
      },
      'sources.refresh': {
        args: () => ({ id: sourceId }),
        check: (o) => expect(o.ok ? value<{ ok: boolean }>(o).ok : o.error.code).not.toBe(true),
      },
      'sources.remove': {
        args: () => ({ id: sourceId, removeVcenters: false }),
        check: (o) => expect(value<{ removed: boolean }>(o).removed).toBe(true),
      },
      'certs.review': {
        args: () => ({ vcenterIds: [vcIds[0]!] }),
        check: (o) => expect(value<unknown[]>(o)).toHaveLength(1),
      },
      'certs.trust': {
        args: () => ({ items: [{ vcenterId: vcIds[0]!, thumbprint: 'AB'.repeat(32) }] }),
        check: (o) =>
          expect(o.ok ? value<{ trusted: string[] }>(o).trusted.length : o.error.code).toBeTruthy(),
      },
    };
    expect(Object.keys(cases).sort()).toEqual([...IPC_REQUESTS].sort());
    for (const name of Object.keys(cases) as IpcRequest[]) {
      const c = cases[name] as { args: () => unknown; check: (o: CallOutcome<unknown>) => void };
      c.check(await invoke(trusted, name, c.args()));
    }
  });

  it('forwards engine events to the window', async () => {
    sent.length = 0;
    value(await invoke(trusted, 'scheduler.start', {}));
    value(await invoke(trusted, 'scheduler.stop', {}));
    await waitUntil(() => sent.filter((e) => e.name === 'scheduler:state').length >= 2);
    const states = sent
      .filter((e) => e.name === 'scheduler:state')
      .map((e) => (e.payload as { enabled: boolean }).enabled);
    expect(states).toContain(true);
    expect(states.at(-1)).toBe(false);
  });

  it('keeps error codes across both hops', async () => {
    const o = await invoke(trusted, 'vcenters.get', { id: 99_999 });
    expect(o).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no vCenter with id 99999' } });
  });

  it('refuses bad arguments, unknown names, local-path entries and strangers before the engine', async () => {
    const bad = await invoke(trusted, 'inventory.list', { entity: 'vms', limit: 1e9 });
    expect(bad.ok === false && bad.error.code).toBe('INVALID_INPUT');
    const unknown = await invoke(trusted, 'fs.readFile', { path: '/etc/passwd' });
    expect(unknown.ok === false && unknown.error.code).toBe('NOT_FOUND');
    const out = path.join(outDir, 'x.csv');
    const local = await invoke(trusted, 'export.toFile', { path: out, format: 'csv', entity: 'vms' });
    expect(local.ok === false && local.error.code).toBe('NOT_FOUND');
    expect(fs.existsSync(out)).toBe(false);
    const foreign = await invoke(stranger, 'vcenters.list', {});
    expect(foreign.ok === false && foreign.error.code).toBe('PERMISSION_DENIED');
  });

  it('lets the main process itself write an export to a local path (the save dialog path)', async () => {
    const out = path.join(outDir, 'vms.csv');
    const r = value<{ rows: number }>(
      await supervisor.call('export.toFile', { path: out, format: 'csv', entity: 'vms' }),
    );
    expect(r.rows).toBe(300);
    expect(fs.readFileSync(out, 'utf8').split('\n').length).toBeGreaterThan(300);
  });

  it("carries a save-dialog export's progress back to its caller only, ending in done or failed", async () => {
    const progress: ExportProgress[] = [];
    const deps = (file: string): SaveExportDeps => ({
      dialog: { showSaveDialog: async () => ({ canceled: false, filePath: file }) },
      engine: supervisor,
      progress: (p) => progress.push(p),
      defaultDir: () => outDir,
      newId: () => 'x1',
      written: () => {},
    });
    const eventsBefore = sent.length;
    const out = path.join(outDir, 'progress.xlsx');
    const r = await saveExport({ entity: 'vms' }, deps(out));
    expect(r?.rows).toBe(300);
    const writing = { id: 'x1', phase: 'writing', path: out, format: 'xlsx' } as const;
    expect(progress).toEqual([
      { ...writing, rows: 0, total: null },
      // The engine's reports: counted up front, then the last one at the exported count.
      { ...writing, rows: 0, total: 300 },
      { ...writing, rows: 300, total: 300 },
      { id: 'x1', phase: 'done', path: out, rows: 300, bytes: fs.statSync(out).size },
    ]);
    // Sent to the caller, not broadcast to the windows as an engine event.
    expect(sent.slice(eventsBefore).filter((e) => e.name.startsWith('export'))).toEqual([]);

    progress.length = 0;
    const taken = path.join(outDir, 'taken.xlsx');
    fs.mkdirSync(taken);
    await expect(saveExport({ entity: 'vms' }, deps(taken))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(progress[0]).toMatchObject({ phase: 'writing', rows: 0 });
    expect(progress.at(-1)).toMatchObject({ phase: 'failed', path: taken, error: { code: 'INVALID_INPUT' } });
    expect(fs.readdirSync(taken)).toEqual([]);
    expect(fs.readdirSync(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('starts and stops the REST listener as settings.rest changes, warning about non-loopback hosts', async () => {
    const port = await freePort();
    notices.length = 0;
    value(await invoke(trusted, 'settings.update', { rest: { enabled: true, host: '127.0.0.1', port } }));
    await waitUntil(() =>
      notices.some((n) => n.message.includes(`REST listener on http://127.0.0.1:${port}`)),
    );
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    // A fresh data folder has no REST accounts: the user is told nobody can log in yet.
    expect(notices.filter((n) => n.level === 'warning').map((n) => n.message)).toEqual([
      expect.stringMatching(/no accounts yet/),
    ]);
    notices.length = 0;

    value(await invoke(trusted, 'settings.update', { rest: { enabled: true, host: '0.0.0.0', port } }));
    await waitUntil(() => notices.some((n) => n.level === 'warning'));
    expect(notices.find((n) => n.level === 'warning')!.message).toMatch(/0\.0\.0\.0.*anyone who can reach/);

    value(await invoke(trusted, 'settings.update', { rest: { enabled: false, host: '127.0.0.1', port } }));
    await waitUntil(() => notices.filter((n) => n.message.includes('stopped')).length >= 2);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('tells the engine about a resume from sleep', async () => {
    expect(await supervisor.control('resume')).toEqual({ ok: true, value: null });
  });

  it('quits cleanly: the engine closes its database and releases the data folder', async () => {
    expect(fs.existsSync(path.join(dir, 'engine.lock'))).toBe(true);
    await supervisor.stop(5000);
    expect(fs.existsSync(path.join(dir, 'engine.lock'))).toBe(false);
    await waitUntil(() => exitCode === 0);
    const after = await invoke(trusted, 'vcenters.list', {});
    expect(after.ok).toBe(false);
  });
});
