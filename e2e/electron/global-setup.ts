import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default function globalSetup(): void {
  const bin = electronBinary();
  if (!bin.ok) {
    process.stdout.write(`\nElectron specs SKIPPED: ${bin.reason}.\n\n`);
    return;
  }
  if (!fs.existsSync(path.join(root, 'out', 'main', 'index.js')))
    throw new Error('build the app first: npm run build');
}
