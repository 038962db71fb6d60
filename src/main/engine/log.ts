import path from 'node:path';
import { ensurePrivateDir } from './private-files.js';
import { RotatingFile, type RotationOptions } from './rotating-file.js';
import { Redactor } from './secrets/redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

interface LogConfig {
  file: string | undefined;
  level: LogLevel;
  /** Also echo warnings and errors to stderr (CLI); the desktop app and tests leave this off. */
  stderrLevel: LogLevel | 'none';
  /** Size-based rotation of the file (see RotatingFile). */
  rotation: RotationOptions;
}

/**
 * Where entries go instead of the file: `vminer serve` hands them to its pino logger, which writes
 * them (and the access log) to the same file. Entries arrive redacted.
 */
export type LogSink = (level: LogLevel, entry: Record<string, unknown>) => void;

const config: LogConfig = { file: undefined, level: 'info', stderrLevel: 'none', rotation: {} };
/** Every registered secret, its masked forms worked out once (not for each line). */
const redactor = new Redactor();
let out: RotatingFile | undefined;
let sink: LogSink | undefined;

export function configureLogging(patch: Partial<LogConfig>): void {
  Object.assign(config, patch);
  if (out && (out.file !== config.file || 'rotation' in patch)) {
    out.close();
    out = undefined;
  }
  if (config.file) ensurePrivateDir(path.dirname(config.file));
  if (config.file && !out) out = new RotatingFile(config.file, config.rotation);
}

/** Routes entries to `next` (undefined: back to the file). */
export function setLogSink(next: LogSink | undefined): void {
  sink = next;
  // The sink may rotate the same file: the writer here reopens it by name when it is needed again.
  out?.close();
}

/** The level entries must reach to be written. */
export function logLevel(): LogLevel {
  return config.level;
}

/** `value` with every registered secret masked in every string (keys too), ready to serialise. */
export function redactValue(value: unknown): unknown {
  return scrub(value, new Set());
}

/** `text` with every registered secret masked: the last net over a finished line. */
export function redactText(text: string): string {
  return redactor.redact(text);
}

/** Every password the engine handles is registered here, so no log line can carry it. */
export function registerSecret(secret: string): void {
  if (secret.length >= 3) redactor.add(secret);
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

function write(level: LogLevel, module: string, msg: string, data?: Record<string, unknown>): void {
  const wantFile = (sink !== undefined || out !== undefined) && ORDER[level] >= ORDER[config.level];
  const wantErr = config.stderrLevel !== 'none' && ORDER[level] >= ORDER[config.stderrLevel];
  if (!wantFile && !wantErr) return;
  if (wantFile) {
    // Redact the values before serialising: JSON escapes `"` and `\`, so a password holding either
    // would no longer match once the line is written. The pass over the finished line stays as a net.
    if (sink) sink(level, scrub({ module, msg, ...data }, new Set()) as Record<string, unknown>);
    else {
      const entry = scrub({ t: new Date().toISOString(), level, module, msg, ...data }, new Set());
      out!.write(redactor.redact(JSON.stringify(entry)) + '\n');
    }
  }
  if (wantErr) process.stderr.write(`${level}: ${redactor.redact(msg)}\n`);
}

/** A JSON-ready copy of `value` with every string (keys too) redacted; errors keep their message. */
function scrub(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'string') return redactor.redact(value);
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
    for (const [k, v] of Object.entries(value)) out[redactor.redact(k)] = scrub(v, seen);
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
