import type { ContractResults } from '../../shared/contract.js';
import type { EngineCaller } from './process-supervisor.js';

/**
 * The Help menu's "Run doctor checks": the same checks as `vminer doctor`, run by the engine
 * (`doctor.run`, a local request the window itself cannot send) and shown in a message box.
 */
export interface DoctorCheck {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  /** What to do about a warn/fail, in words a person can act on. */
  fix?: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
}

export type DoctorRunner = () => Promise<DoctorReport>;

const MARK: Record<DoctorCheck['status'], string> = { pass: '✓', warn: '!', fail: '✗' };

export function doctorSummary(report: DoctorReport): { ok: boolean; title: string; detail: string } {
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  return {
    ok: failed === 0,
    title:
      failed > 0
        ? `${failed} check${failed === 1 ? '' : 's'} failed`
        : warned > 0
          ? `All checks passed, ${warned} with warnings`
          : 'All checks passed',
    detail: report.checks
      .map(
        (c) =>
          `${MARK[c.status]} ${c.title}: ${c.detail}${c.fix && c.status !== 'pass' ? ` — ${c.fix}` : ''}`,
      )
      .join('\n'),
  };
}

/** Runs `doctor.run` in the engine and words its checks for the Help menu's message box. */
export async function engineDoctor(engine: EngineCaller): Promise<DoctorReport> {
  const outcome = await engine.call('doctor.run', {});
  if (!outcome.ok) throw new Error(outcome.error.message);
  const report = outcome.value as ContractResults['doctor.run'];
  const checks: DoctorCheck[] = [];
  report.checks.forEach((c, i) => {
    if (c.status === 'skip') return;
    checks.push({
      id: String(i),
      title: `${c.subject} — ${c.step}`,
      status: c.status === 'ok' ? 'pass' : c.status,
      detail: c.detail,
    });
  });
  return { checks };
}
