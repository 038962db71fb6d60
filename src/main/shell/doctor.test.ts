import { describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../shared/ipc.js';
import { doctorSummary, engineDoctor } from './doctor.js';
import type { EngineCaller } from './process-supervisor.js';

const engine = (outcome: CallOutcome<unknown>): EngineCaller & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    call: async (name) => {
      asked.push(name);
      return outcome as never;
    },
  };
};

describe('the Help menu doctor', () => {
  it('runs the engine’s doctor.run and words the same report (skips left out)', async () => {
    const e = engine({
      ok: true,
      value: {
        ok: false,
        checks: [
          { subject: 'data folder', step: 'writable', status: 'ok', detail: '/data' },
          { subject: 'vCenter vc01', step: 'login', status: 'fail', detail: 'wrong password' },
          { subject: 'source cmdb', step: 'query', status: 'skip', detail: 'no sources' },
        ],
      },
    });
    const report = await engineDoctor(e);
    expect(e.asked).toEqual(['doctor.run']);
    expect(doctorSummary(report)).toEqual({
      ok: false,
      title: '1 check failed',
      detail: '✓ data folder — writable: /data\n✗ vCenter vc01 — login: wrong password',
    });
  });

  it('passes the engine’s error on', async () => {
    await expect(
      engineDoctor(engine({ ok: false, error: { code: 'INTERNAL', message: 'engine restarting' } })),
    ).rejects.toThrow('engine restarting');
  });
});
