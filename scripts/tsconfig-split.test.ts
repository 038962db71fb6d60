import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/* The renderer's TypeScript config has DOM types and no Node types; the node config the reverse. */

function diagnostics(config: string, code: string): string[] {
  const root = path.resolve(import.meta.dirname, '..');
  const read = ts.readConfigFile(path.join(root, config), (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-tsconfig-'));
  const file = path.join(dir, 'probe.ts');
  fs.writeFileSync(file, code);
  try {
    const program = ts.createProgram([file], {
      ...parsed.options,
      typeRoots: [path.join(root, 'node_modules/@types')],
    });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the TypeScript configs', () => {
  it('tsconfig.web.json (the renderer) knows the DOM and not Node', () => {
    expect(diagnostics('tsconfig.web.json', 'export const w = window.innerWidth;\n')).toEqual([]);
    expect(diagnostics('tsconfig.web.json', 'export const p = process.env;\n').join('\n')).toMatch(
      /Cannot find name 'process'/,
    );
  });

  it('tsconfig.node.json (main, engine, CLI) knows Node and not the DOM', () => {
    expect(diagnostics('tsconfig.node.json', 'export const p = process.env;\n')).toEqual([]);
    expect(diagnostics('tsconfig.node.json', 'export const w = window.innerWidth;\n').join('\n')).toMatch(
      /Cannot find name 'window'/,
    );
  });
});
