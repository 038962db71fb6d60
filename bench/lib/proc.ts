/** Child processes of the benchmark, tracked so Ctrl-C or an error never leaves one behind. */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const active = new Set<ChildProcess>();

export function runProcess(
  cmd: string,
  args: string[],
  opts: { input?: string; timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    active.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-20_000);
    });
    const timer = setTimeout(() => {
      stderr += `\n[bench] killed after ${opts.timeoutMs} ms`;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      active.delete(child);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      active.delete(child);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
    child.stdin.on('error', () => undefined); // a child that dies early must not crash the harness
    child.stdin.end(opts.input ?? '');
  });
}

/** SIGKILLs every child still running (signal handlers, fatal errors). */
export function killActive(): void {
  for (const c of active) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  active.clear();
}
