// Run before the project's main scripts (npm's pre-scripts): vMiner needs Node 24 or newer, and
// node_modules built for the same major (better-sqlite3 is a native addon).
import fs from 'node:fs';
import process from 'node:process';

const major = Number(process.versions.node.split('.')[0]);
const hint =
  'run it through `bash scripts/setup.sh npm run <script>`, or put the Node that setup.sh fetched first on PATH: ' +
  'export PATH="$PWD/.tools/node/bin:$PATH"';
if (major < 24) {
  process.stderr.write(`vMiner needs Node.js 24 or newer; this is ${process.version}: ${hint}\n`);
  process.exit(1);
}
let built = '';
try {
  built = fs.readFileSync('node_modules/.vminer-node-major', 'utf8').trim();
} catch {
  /* installed without setup.sh: nothing to compare */
}
if (built && Number(built) !== major) {
  process.stderr.write(
    `node_modules were built for Node ${built}, this is ${process.version}: run \`bash scripts/setup.sh\` again (it rebuilds them), or ${hint}\n`,
  );
  process.exit(1);
}
