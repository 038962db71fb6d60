import { describe, expect, it, vi } from 'vitest';
import type { VcenterWithState } from '../../shared/vcenter.js';
import { scheduledFailureText, SyncStatus, type ScheduledFailure, type SyncSnapshot } from './sync-status.js';
import { TrayController, trayMenu, type MenuItemSpec, type TrayActions } from './tray.js';

const actions = (): TrayActions & Record<string, ReturnType<typeof vi.fn>> => ({
  syncNow: vi.fn(),
  pauseSchedule: vi.fn(),
  resumeSchedule: vi.fn(),
  open: vi.fn(),
  quit: vi.fn(),
});
const snap = (p: Partial<SyncSnapshot>): SyncSnapshot => ({
  state: 'idle',
  syncing: 0,
  failed: [],
  schedulerEnabled: false,
  ...p,
});
const byId = (m: MenuItemSpec[], id: string): MenuItemSpec => m.find((i) => i.id === id)!;

describe('tray menu', () => {
  it('has Sync now, Pause/Resume schedule, Open vMiner and Quit', () => {
    const a = actions();
    const m = trayMenu(snap({ schedulerEnabled: true }), a);
    expect(m.filter((i) => i.label && i.enabled !== false).map((i) => i.label)).toEqual([
      'Sync now',
      'Pause schedule',
      'Open vMiner',
      'Quit vMiner',
    ]);
    byId(m, 'sync-now').click!();
    byId(m, 'schedule').click!();
    byId(m, 'open').click!();
    byId(m, 'quit').click!();
    expect(a.syncNow).toHaveBeenCalledOnce();
    expect(a.pauseSchedule).toHaveBeenCalledOnce();
    expect(a.open).toHaveBeenCalledOnce();
    expect(a.quit).toHaveBeenCalledOnce();
  });

  it('offers Resume when the schedule is off, and no second sync while one runs', () => {
    const a = actions();
    const m = trayMenu(snap({ state: 'syncing', syncing: 3 }), a);
    expect(byId(m, 'status').label).toBe('Syncing 3 vCenters…');
    expect(byId(m, 'sync-now').enabled).toBe(false);
    byId(m, 'schedule').click!();
    expect(byId(m, 'schedule').label).toBe('Resume schedule');
    expect(a.resumeSchedule).toHaveBeenCalledOnce();
  });

  it('shows the state as icon and tooltip, changing the icon only when the state changes', () => {
    const tray = { setImage: vi.fn(), setToolTip: vi.fn(), setContextMenu: vi.fn(), onClick: vi.fn() };
    const a = actions();
    const ctl = new TrayController(tray, a, (f) => `/res/tray/${f}`);
    ctl.update(snap({}));
    ctl.update(snap({}));
    ctl.update(snap({ state: 'failed', failed: ['vc-ams-01', 'vc-fra-01'] }));
    expect(tray.setImage.mock.calls.map((c) => c[0])).toEqual(['/res/tray/idle.png', '/res/tray/failed.png']);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('vMiner — 2 vCenters failed their last sync');
    tray.onClick.mock.calls[0]![0]();
    expect(a.open).toHaveBeenCalledOnce();
  });
});

const vc = (id: number, name: string, status: VcenterWithState['sync']['status']): VcenterWithState =>
  ({ id, name, sync: { status, error: null } }) as VcenterWithState;

describe('SyncStatus', () => {
  function setup() {
    const snaps: SyncSnapshot[] = [];
    const notified: ScheduledFailure[][] = [];
    const s = new SyncStatus({ changed: (x) => snaps.push(x), scheduledRunFailed: (f) => notified.push(f) });
    return { s, snaps, notified };
  }

  it('is syncing while any vCenter is queued or syncing, failed while any last sync failed, else idle', () => {
    const { s } = setup();
    s.seed([vc(1, 'a', 'ok'), vc(2, 'b', 'ok')], { enabled: true });
    expect(s.snapshot).toEqual({ state: 'idle', syncing: 0, failed: [], schedulerEnabled: true });
    s.handle('sync:progress', { vcenterId: 1, vcenter: 'a', phase: 'started', status: 'syncing' });
    expect(s.snapshot.state).toBe('syncing');
    s.handle('sync:progress', {
      vcenterId: 1,
      vcenter: 'a',
      phase: 'finished',
      status: 'failed',
      error: { code: 'LOGIN_FAILED', message: 'a: login failed' },
    });
    expect(s.snapshot).toMatchObject({ state: 'failed', failed: ['a'] });
    s.handle('sync:progress', { vcenterId: 1, vcenter: 'a', phase: 'finished', status: 'ok' });
    expect(s.snapshot.state).toBe('idle');
  });

  it('notifies once when a scheduled run ends with failures, naming them', () => {
    const { s, notified } = setup();
    s.seed([vc(1, 'a', 'ok'), vc(2, 'b', 'ok')]);
    const sched = (running: boolean) =>
      s.handle('scheduler:state', {
        enabled: true,
        running,
        nextRunAt: null,
        intervalMinutes: 60,
        cron: null,
      });
    sched(true);
    s.handle('sync:progress', {
      vcenterId: 2,
      vcenter: 'b',
      phase: 'finished',
      status: 'certificate_changed',
      error: { code: 'CERT_CHANGED', message: 'b: the certificate changed' },
    });
    s.handle('sync:progress', { vcenterId: 1, vcenter: 'a', phase: 'finished', status: 'ok' });
    sched(false);
    sched(false);
    expect(notified).toEqual([[{ vcenter: 'b', message: 'b: the certificate changed' }]]);
  });

  it('stays quiet after a clean scheduled run and after failures of manual syncs', () => {
    const { s, notified } = setup();
    s.handle('sync:progress', { vcenterId: 1, vcenter: 'a', phase: 'finished', status: 'failed' });
    s.handle('scheduler:state', {
      enabled: true,
      running: true,
      nextRunAt: null,
      intervalMinutes: 60,
      cron: null,
    });
    s.handle('sync:progress', { vcenterId: 1, vcenter: 'a', phase: 'finished', status: 'ok' });
    s.handle('scheduler:state', {
      enabled: true,
      running: false,
      nextRunAt: null,
      intervalMinutes: 60,
      cron: null,
    });
    expect(notified).toEqual([]);
  });

  it('words the notification for one or many failures', () => {
    expect(scheduledFailureText([{ vcenter: 'a', message: 'a: timeout' }])).toEqual({
      title: 'Scheduled sync: a failed',
      body: 'a: a: timeout',
    });
    const many = scheduledFailureText(['a', 'b', 'c', 'd', 'e'].map((v) => ({ vcenter: v, message: 'x' })));
    expect(many.title).toBe('Scheduled sync: 5 vCenters failed');
    expect(many.body.split('\n')).toHaveLength(4);
  });
});
