import { describe, expect, it } from 'vitest';
import type { SyncProgressEvent } from '../../../shared/events.js';
import { finishedLine, HANDED_OVER, isHandedOver, resultLine, tallySync, tallyText } from './sync-outcome.js';
import type { VcenterSyncResult } from './sync-runner.js';

const result = (vcenter: string, status: VcenterSyncResult['status']): VcenterSyncResult => ({
  vcenterId: vcenter.length,
  vcenter,
  status,
  error:
    status === 'ok'
      ? null
      : status === 'stepped_down'
        ? { code: 'NOT_LEADER', message: 'this instance no longer leads (term 3)' }
        : { code: 'LOGIN_FAILED', message: `${vcenter}: login failed` },
  counts: status === 'ok' ? ({ vms: 10, hosts: 2 } as VcenterSyncResult['counts']) : null,
  durationMs: 1000,
  warnings: [],
});

describe('a sync handed over to a new leader (stepped_down)', () => {
  it('is counted apart from the synced and the failed ones', () => {
    const t = tallySync([
      result('vc1', 'ok'),
      result('vc2', 'stepped_down'),
      result('vc3', 'failed'),
      result('vc4', 'certificate_changed'),
    ]);
    expect(t.synced.map((r) => r.vcenter)).toEqual(['vc1']);
    expect(t.handedOver.map((r) => r.vcenter)).toEqual(['vc2']);
    expect(t.failed.map((r) => r.vcenter)).toEqual(['vc3', 'vc4']);
    expect(tallyText(t)).toBe('1 of 4 vCenters synced, 1 handed over to the new leader');
  });

  it('fails nothing on its own: a run with only synced and handed-over vCenters has no failures', () => {
    const t = tallySync([result('vc1', 'ok'), result('vc2', 'stepped_down')]);
    expect(t.failed).toEqual([]);
    expect(tallyText(tallySync([result('vc1', 'ok')]))).toBe('1 of 1 vCenters synced');
  });

  it('reads as handed over, not as an error, in the summaries and the serve log', () => {
    expect(resultLine(result('vc2', 'stepped_down'))).toBe(`→ vc2: ${HANDED_OVER}`);
    expect(resultLine(result('vc3', 'failed'))).toBe('✗ vc3: vc3: login failed');
    expect(resultLine(result('vc1', 'ok'))).toBe('✓ vc1: 10 VMs, 2 hosts');
    const stepped: SyncProgressEvent = {
      vcenterId: 2,
      vcenter: 'vc2',
      phase: 'finished',
      status: 'interrupted',
      error: { code: 'NOT_LEADER', message: 'this instance no longer leads (term 3)' },
      durationMs: 5,
    };
    expect(isHandedOver(stepped)).toBe(true);
    expect(finishedLine(stepped)).toBe(
      'vc2: handed over to the new leader (this instance stopped leading mid-sync)',
    );
    const failed: SyncProgressEvent = {
      ...stepped,
      status: 'failed',
      error: { code: 'LOGIN_FAILED', message: 'login failed' },
    };
    expect(isHandedOver(failed)).toBe(false);
    expect(finishedLine(failed)).toBe('vc2: failed — login failed');
    expect(finishedLine({ ...stepped, status: 'ok', error: undefined })).toBe('vc2: ok');
  });
});
