import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from './version.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('the version', () => {
  it('is package.json’s when run from the sources', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it(
    'is package.json’s in the build: `vminer --version`, and no placeholder left anywhere in out/main',
    { timeout: 120_000 },
    () => {
      const cli = path.join(ROOT, 'out', 'main', 'cli.js');
      if (!fs.existsSync(cli))
        execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
      expect(execFileSync(process.execPath, [cli, '--version'], { encoding: 'utf8' }).trim()).toBe(
        pkg.version,
      );
      const built = fs
        .readdirSync(path.join(ROOT, 'out', 'main'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.js'))
        .map((f) => fs.readFileSync(path.join(ROOT, 'out', 'main', f), 'utf8'))
        .join('\n');
      expect(built).not.toContain('0.0.0-dev');
      expect(built).toContain(JSON.stringify(pkg.version));
    },
  );
});
