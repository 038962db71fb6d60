import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, createLogger, registerSecret } from './log.js';
import { createServerLog, type ServerLog } from './server-log.js';

let dir: string | undefined;
let log: ServerLog | undefined;
afterEach(() => {
  log?.close();
  log = undefined;
  configureLogging({ file: undefined, level: 'info', stderrLevel: 'none' });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function open(level: 'debug' | 'info' | 'warn' = 'info', maxBytes?: number): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-server-log-'));
  const file = path.join(dir, 'logs', 'vminer.log');
  configureLogging({ file, level });
  log = createServerLog({ file, level, ...(maxBytes ? { maxBytes, keep: 3 } : {}) });
  return file;
}

const lines = (file: string): Record<string, unknown>[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("serve's pino log", () => {
  it('masks secrets before pino serialises them: quotes and backslashes, nested values, keys, the message', () => {
    const file = open();
    // JSON writes this as p4\"ss\\w0rd: masking the finished line alone would miss it.
    const secret = 'p4"ss\\w0rd';
    registerSecret(secret);
    log!.logger.info(
      { module: 'http', password: secret, nested: { list: [`x ${secret} y`, 3], [`key-${secret}`]: true } },
      `login with ${secret}`,
    );
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain('w0rd');
    expect(lines(file)).toEqual([
      {
        level: 'info',
        t: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        module: 'http',
        password: '***',
        nested: { list: ['x *** y', 3], 'key-***': true },
        msg: 'login with ***',
      },
    ]);
  });

  it("takes the engine's own entries, in the same format and file, at the level asked for", () => {
    const file = open('warn');
    createLogger('sync').info('not kept at warn');
    createLogger('sync').warn('vc01 failed', { code: 'REFUSED' });
    log!.logger.info({ module: 'http' }, 'not kept either');
    expect(lines(file)).toEqual([
      { level: 'warn', t: expect.any(String), module: 'sync', msg: 'vc01 failed', code: 'REFUSED' },
    ]);
    log!.close();
    log = undefined;
    // Closed: the engine writes its file itself again.
    createLogger('engine').warn('closed');
    expect(lines(file).at(-1)).toMatchObject({ module: 'engine', msg: 'closed' });
  });

  it('rotates by size', () => {
    const file = open('info', 2048);
    for (let i = 0; i < 100; i++) log!.logger.info({ module: 'http', i }, 'request');
    const files = fs.readdirSync(path.dirname(file)).sort();
    expect(files).toEqual(['vminer.log', 'vminer.log.1', 'vminer.log.2', 'vminer.log.3']);
    for (const f of files)
      expect(fs.statSync(path.join(path.dirname(file), f)).size).toBeLessThanOrEqual(2048);
    expect(lines(file).at(-1)).toMatchObject({ i: 99 });
  });
});
