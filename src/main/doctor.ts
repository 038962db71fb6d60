/**
 * The Help menu's "Run doctor checks" hook. `vminer doctor` is being built separately; when it
 * lands, give `createMenu` a `DoctorRunner` that runs the same checks (through the engine) and the
 * menu item enables itself. Until then the item is shown disabled.
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
