// Builds better-sqlite3 for Electron into native/electron/, beside (not over) the Node build in
// node_modules that the CLI and the tests use. The desktop app loads it through better-sqlite3's
// `nativeBinding` option; electron-builder ships it unpacked from the asar.
//
//   npm run native:electron              # always (re)build
//   npm run native:electron -- --if-missing   # only when absent or built for another Electron
//
// Needs a connected machine: a prebuilt binary from better-sqlite3's releases (prebuild-install),
// or else Electron's headers for a node-gyp build from source.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outDir = path.join(root, 'native', 'electron');
const outFile = path.join(outDir, 'better_sqlite3.node');
const stampFile = path.join(outDir, 'build.json');

const electron = (require('electron/package.json') as { version: string }).version;
const sqlite = (require('better-sqlite3/package.json') as { version: string }).version;
const stamp = { electron, betterSqlite3: sqlite, platform: process.platform, arch: process.arch };

if (process.argv.includes('--if-missing') && fs.existsSync(outFile)) {
  try {
    const have = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as typeof stamp;
    if (JSON.stringify(have) === JSON.stringify(stamp)) process.exit(0);
  } catch {
    /* no stamp: rebuild */
  }
}

const pkgDir = path.dirname(require.resolve('better-sqlite3/package.json'));
const work = path.join(root, '.tmp', 'electron-sqlite', 'better-sqlite3');
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(path.dirname(work), { recursive: true });
fs.cpSync(pkgDir, work, {
  recursive: true,
  filter: (src) => !src.startsWith(path.join(pkgDir, 'build')),
});

const run = (cmd: string, args: string[]): boolean => {
  process.stdout.write(`$ ${cmd} ${args.join(' ')}\n`);
  try {
    execFileSync(cmd, args, { cwd: work, stdio: 'inherit', env: process.env });
    return true;
  } catch {
    return false;
  }
};
const bin = (name: string): string => path.join(root, 'node_modules', '.bin', name);
const target = ['--runtime=electron', `--target=${electron}`, `--arch=${process.arch}`];
const built =
  run(bin('prebuild-install'), [...target, '--verbose']) ||
  run(process.env['npm_config_node_gyp'] ? process.execPath : 'npx', [
    ...(process.env['npm_config_node_gyp'] ? [process.env['npm_config_node_gyp']] : ['--yes', 'node-gyp']),
    'rebuild',
    '--release',
    ...target,
    '--dist-url=https://electronjs.org/headers',
  ]);
const produced = path.join(work, 'build', 'Release', 'better_sqlite3.node');
if (!built || !fs.existsSync(produced)) {
  process.stderr.write(
    `could not build better-sqlite3 ${sqlite} for Electron ${electron} (this needs the network: a prebuilt ` +
      'binary or the Electron headers)\n',
  );
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(produced, outFile);
fs.writeFileSync(stampFile, JSON.stringify(stamp, null, 2) + '\n');
process.stdout.write(
  `better-sqlite3 ${sqlite} for Electron ${electron} (${process.arch}) → ${path.relative(root, outFile)}\n`,
);
