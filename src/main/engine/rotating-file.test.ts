import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFile } from './rotating-file.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('RotatingFile', () => {
  it('rotates by size, keeps the newest files, never splits a line, owner-only', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-rotate-'));
    const file = path.join(dir, 'logs', 'vminer.log');
    const log = new RotatingFile(file, { maxBytes: 1024, keep: 2 });
    const line = (i: number): string => `{"n":${i},"pad":"${'x'.repeat(90)}"}\n`;
    for (let i = 0; i < 60; i++) log.write(line(i));
    log.close();
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['vminer.log', 'vminer.log.1', 'vminer.log.2']);
    const kept = ['vminer.log.2', 'vminer.log.1', 'vminer.log'].flatMap((f) =>
      fs
        .readFileSync(path.join(dir!, 'logs', f), 'utf8')
        .split('\n')
        .filter(Boolean),
    );
    for (const f of ['vminer.log', 'vminer.log.1', 'vminer.log.2']) {
      const p = path.join(dir, 'logs', f);
      expect(fs.statSync(p).size, f).toBeLessThanOrEqual(1024);
      if (process.platform !== 'win32') expect(fs.statSync(p).mode & 0o777, f).toBe(0o600);
    }
    // The newest lines, whole and in order; the oldest went with the third rotation.
    const ns = kept.map((l) => (JSON.parse(l) as { n: number }).n);
    expect(ns.at(-1)).toBe(59);
    expect(ns).toEqual(ns.map((_, i) => ns[0]! + i));
    expect(ns[0]).toBeGreaterThan(0);
  });

  it('continues an existing file and counts its size', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-rotate-'));
    const file = path.join(dir, 'vminer.log');
    fs.writeFileSync(file, 'y'.repeat(1019) + '\n');
    const log = new RotatingFile(file, { maxBytes: 1024, keep: 1 });
    log.write('next line\n');
    log.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('next line\n');
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toBe('y'.repeat(1019) + '\n');
  });
});
