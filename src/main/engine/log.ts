import fs from 'node:fs';
import path from 'node:path';
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
  if (config.file) fs.mkdirSync(path.dirname(config.file), { recursive: true });
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
  const line = redact(JSON.stringify({ t: new Date().toISOString(), level, module, msg, ...data }), secrets);
  if (wantFile) {
    try {
      fs.appendFileSync(config.file!, line + '\n', { mode: 0o600 });
    } catch {
      /* a full disk must not take the engine down with it */
    }
  }
  if (wantErr) process.stderr.write(`${level}: ${redact(msg, secrets)}\n`);
}

export function createLogger(module: string): Logger {
  return {
    debug: (m, d) => write('debug', module, m, d),
    info: (m, d) => write('info', module, m, d),
    warn: (m, d) => write('warn', module, m, d),
    error: (m, d) => write('error', module, m, d),
  };
}
