import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RVTOOLS_DOC, rvtoolsDoc } from './rvtools-doc.js';

describe('docs/rvtools-columns.md', () => {
  it('is the RVTools export’s own column model (run `npm run docs:rvtools` if not)', () => {
    expect(fs.readFileSync(RVTOOLS_DOC, 'utf8')).toBe(rvtoolsDoc());
  });

  it('lists every sheet of the issue, with VI SDK Server and UUID closing each data sheet', () => {
    const doc = rvtoolsDoc();
    const sheets = [...doc.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);
    expect(sheets).toEqual(
      expect.arrayContaining([
        'vInfo',
        'vCPU',
        'vMemory',
        'vDisk',
        'vPartition',
        'vNetwork',
        'vSnapshot',
        'vTools',
        'vHost',
        'vNIC',
        'vSwitch',
        'dvSwitch',
        'dvPort',
        'vCluster',
        'vDatastore',
        'vMetaData',
      ]),
    );
    for (const section of doc.split(/^## /m).slice(1)) {
      if (section.startsWith('vMetaData')) continue;
      expect(section, section.slice(0, 20)).toMatch(/\| VI SDK Server \|[^\n]*\n\| \d+ \| VI SDK UUID \|/);
    }
  });
});
