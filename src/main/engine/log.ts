import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from './private-files.js';
import { redact } from './secrets/redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

interface LogConfig {
  file: string | undefined;
  level: LogLevel;
  /** Also echo warnings and errors to stderr (CLI); the desktop app and tests leave this off. */
  stderrLevel: LogLevel | 'none';
}

const config: LogConfig = { file: undefined, level: 'info', stderrLevel: 'none' };
const secrets = new Set<string>();

export function configureLogging(patch: Partial<LogConfig>): void {
  Object.assign(config, patch);
  if (config.file) ensurePrivateDir(path.dirname(config.file));
}

/** Every password the engine handles is registered here, so no log line can carry it. */
export function registerSecret(secret: string): void {
  if (secret.length >= 3) secrets.add(secret);
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

function write(level: LogLevel, module: string, msg: string, data?: Record<string, unknown>): void {
  const wantFile = config.file !== undefined && ORDER[level] >= ORDER[config.level];
  const wantErr = config.stderrLevel !== 'none' && ORDER[level] >= ORDER[config.stderrLevel];
  if (!wantFile && !wantErr) return;
  // Redact the values before serialising: JSON escapes `"` and `\`, so a password holding either
  // would no longer match once the line is written. The pass over the finished line stays as a net.
  const entry = scrub({ t: new Date().toISOString(), level, module, msg, ...data }, new Set());
  const line = redact(JSON.stringify(entry), secrets);
  if (wantFile) {
    try {
      fs.appendFileSync(config.file!, line + '\n', { mode: 0o600 });
    } catch {
      /* a full disk must not take the engine down with it */
    }
  }
  if (wantErr) process.stderr.write(`${level}: ${redact(msg, secrets)}\n`);
}

/** A JSON-ready copy of `value` with every string (keys too) redacted; errors keep their message. */
function scrub(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Error) {
      const { code } = value as Error & { code?: unknown };
      return scrub(
        { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) },
        seen,
      );
    }
    const own = value as { toJSON?: unknown };
    if (typeof own.toJSON === 'function') return scrub((own.toJSON as () => unknown).call(value), seen);
    if (Array.isArray(value)) return value.map((v) => scrub(v, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redact(k, secrets)] = scrub(v, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

export function createLogger(module: string): Logger {
  return {
    debug: (m, d) => write('debug', module, m, d),
    info: (m, d) => write('info', module, m, d),
    warn: (m, d) => write('warn', module, m, d),
    error: (m, d) => write('error', module, m, d),
  };
}
