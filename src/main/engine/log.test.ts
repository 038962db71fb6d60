import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, createLogger, registerSecret } from './log.js';

let dir: string | undefined;
afterEach(() => {
  configureLogging({ file: undefined, level: 'info', stderrLevel: 'none' });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function logFile(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-log-'));
  const file = path.join(dir, 'logs', 'vminer.log');
  configureLogging({ file, level: 'debug' });
  return file;
}

describe('log redaction', () => {
  it('masks a password with quotes and backslashes, which JSON escapes, in every field', () => {
    const file = logFile();
    // JSON writes this as p4\"ss\\w0rd: a redaction of the finished line would miss it.
    const secret = 'p4"ss\\w0rd';
    registerSecret(secret);
    createLogger('test').warn(`login with ${secret} failed`, {
      password: secret,
      nested: { list: [`x ${secret} y`, 3, null], ok: true },
      [`key-${secret}`]: 1,
    });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('w0rd');
    const entry = JSON.parse(text) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'warn',
      module: 'test',
      msg: 'login with *** failed',
      password: '***',
      nested: { list: ['x *** y', 3, null], ok: true },
      'key-***': 1,
    });
  });

  it('masks secrets inside errors and objects that serialise themselves, and survives cycles', () => {
    const file = logFile();
    const secret = 'tab\there"and\\there';
    registerSecret(secret);
    const cyclic: Record<string, unknown> = { note: secret };
    cyclic['self'] = cyclic;
    createLogger('test').error('boom', {
      error: new Error(`refused ${secret}`),
      json: { toJSON: () => ({ inner: secret }) },
      cyclic,
    });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('there');
    const entry = JSON.parse(text) as Record<string, unknown>;
    expect(entry['error']).toMatchObject({ message: 'refused ***' });
    expect(entry['json']).toEqual({ inner: '***' });
    expect(entry['cyclic']).toEqual({ note: '***', self: '[circular]' });
  });
});
