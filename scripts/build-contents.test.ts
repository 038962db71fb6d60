import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The built app ships no test scaffolding: nothing under out/ comes from src/testing. Its modules
 * export names no production module has; finding one in a built chunk means a production import
 * pulled it in (the ESLint layer rule should have refused it first).
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'out');
const MARKERS = [
  'populateCache',
  'startSimulator',
  'openTestEngine',
  'readWithPyvmomi',
  'startTdsResponder',
  'mulberry32',
];

function builtFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory()
        ? builtFiles(path.join(dir, d.name))
        : /\.(c?js|mjs)$/.test(d.name)
          ? [path.join(dir, d.name)]
          : [],
    );
}

describe('the build', () => {
  it('contains no module of src/testing', { timeout: 120_000 }, () => {
    if (!fs.existsSync(path.join(OUT, 'main', 'cli.js')))
      execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
    const files = builtFiles(OUT);
    expect(files.length).toBeGreaterThan(3);
    const found = files.flatMap((f) => {
      const text = fs.readFileSync(f, 'utf8');
      return MARKERS.filter((m) => text.includes(m)).map((m) => `${path.relative(ROOT, f)}: ${m}`);
    });
    expect(found).toEqual([]);
  });
});
