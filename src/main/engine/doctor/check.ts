import type { DoctorCheck } from '../../../shared/doctor.js';

/** One line of the doctor's report: what was checked, the step, how it went and what to do. */
export const check = (
  subject: string,
  step: string,
  status: DoctorCheck['status'],
  detail: string,
): DoctorCheck => ({
  subject,
  step,
  status,
  detail,
});
