/**
 * Runs every `bench/*.bench.ts` file, one after the other, each in its own process (so one
 * benchmark's memory, simulators or crash never colours the next). `npm run bench` builds first.
 *
 *   npx tsx bench/run.ts [filter] [-- args passed to every benchmark]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const filters = dashdash < 0 ? argv : argv.slice(0, dashdash);
const passThrough = dashdash < 0 ? [] : argv.slice(dashdash + 1);

const files = fs
  .readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let current: ReturnType<typeof spawn> | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  // The child gets the same Ctrl-C from the terminal and cleans up its simulators itself;
  // wait for it instead of dying first and orphaning its output.
  process.on(sig, () => {
    if (!current) process.exit(130);
    current.kill(sig);
  });
}

function runOne(file: string): Promise<number> {
  return new Promise((resolve) => {
    // `node --import tsx`, not the tsx CLI: the CLI relays Ctrl-C and SIGKILLs a child that is
    // still cleaning up (stopping its simulators).
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, file), ...passThrough], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    current = child;
    child.once('error', (err) => {
      console.error(`[bench] cannot start ${file}: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function main(): Promise<number> {
  if (files.length === 0) {
    console.error(
      `[bench] no *.bench.ts file in ${path.relative(ROOT, BENCH_DIR)}/ matches ${filters.join(' ')}`,
    );
    return 1;
  }
  const outcomes: { file: string; code: number; seconds: number }[] = [];
  for (const file of files) {
    console.log(`\n##### ${file}`);
    const t0 = Date.now();
    const code = await runOne(file);
    outcomes.push({ file, code, seconds: (Date.now() - t0) / 1000 });
  }
  console.log('\n##### benchmarks');
  for (const o of outcomes) {
    console.log(
      `${o.code === 0 ? 'ok    ' : `FAILED (exit ${o.code})`}  ${o.file}  ${o.seconds.toFixed(0)} s`,
    );
  }
  return outcomes.some((o) => o.code !== 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
