import { z } from 'zod';

export const DoctorRequestSchema = z.object({
  /** The REST listener address to check (default 127.0.0.1:8000, what `vminer serve` binds). */
  host: z.string().max(255).default('127.0.0.1'),
  port: z.number().int().min(1).max(65_535).default(8000),
  /** Per-step timeout for network checks. */
  timeoutMs: z.number().int().min(200).max(60_000).default(5_000),
  /** Skip the vCenter and SQL source checks (the local ones only). */
  localOnly: z.boolean().default(false),
});
export type DoctorRequest = z.infer<typeof DoctorRequestSchema>;

export type DoctorStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  /** What is checked: "data folder", "database", "keychain", "vCenter vc01", "source cmdb", "REST port". */
  subject: string;
  /** The step: "writable", "migrations", "DNS", "TCP", "TLS", "login", "query", "free". */
  step: string;
  status: DoctorStatus;
  detail: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  /** No check failed (warnings allowed). */
  ok: boolean;
}
