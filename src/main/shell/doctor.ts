import type { DoctorReport } from '../../shared/doctor.js';
import type { EngineCaller } from './process-supervisor.js';

/**
 * The Help menu's "Run doctor checks": the same checks and the same report as `vminer doctor`,
 * run by the engine (`doctor.run`, a local request the window itself cannot send) and shown in a
 * message box.
 */
export type DoctorRunner = () => Promise<DoctorReport>;

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/** The report in words for a message box; skipped checks are left out. */
export function doctorSummary(report: DoctorReport): { ok: boolean; title: string; detail: string } {
  const shown = report.checks.filter((c) => c.status !== 'skip');
  const failed = shown.filter((c) => c.status === 'fail').length;
  const warned = shown.filter((c) => c.status === 'warn').length;
  return {
    ok: failed === 0,
    title:
      failed > 0
        ? `${failed} check${failed === 1 ? '' : 's'} failed`
        : warned > 0
          ? `All checks passed, ${warned} with warnings`
          : 'All checks passed',
    detail: shown
      .map((c) => `${MARK[c.status as keyof typeof MARK]} ${c.subject} — ${c.step}: ${c.detail}`)
      .join('\n'),
  };
}

/** Runs `doctor.run` in the engine. */
export async function engineDoctor(engine: EngineCaller): Promise<DoctorReport> {
  const outcome = await engine.call('doctor.run', {});
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value;
}
