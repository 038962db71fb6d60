import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
  asar?: boolean;
  electronFuses?: Record<string, unknown>;
};

describe('electron-builder.yml: the packaged binary has its dangerous doors fused shut', () => {
  it('turns off ELECTRON_RUN_AS_NODE, NODE_OPTIONS and --inspect, and turns on asar integrity', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('uses only fuse names electron-builder knows (a misspelt one would be a silent no-op)', () => {
    const scheme = JSON.parse(
      fs.readFileSync(path.join(root, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8'),
    ) as { definitions: { FuseOptionsV1: { properties: Record<string, { type: string }> } } };
    const known = scheme.definitions.FuseOptionsV1.properties;
    for (const [name, value] of Object.entries(config.electronFuses ?? {})) {
      expect(known, `unknown fuse ${name}`).toHaveProperty(name);
      expect(typeof value).toBe(known[name]!.type);
    }
  });
});
