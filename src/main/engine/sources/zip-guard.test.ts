import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { VminerError } from '../../../shared/errors.js';
import { readTableFile } from './table-file.js';
import { checkZipBudget } from './zip-guard.js';

/** A minimal ZIP writer (stored sizes as given, so a test can also make them lie). */
function zip(entries: { name: string; data: Buffer; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return err instanceof VminerError ? `${err.code}: ${err.message}` : String(err);
  }
  return 'passed';
};

describe('XLSX zip-bomb guard', () => {
  it('refuses an entry that unpacks past the budget, even when its header claims 1 KB', () => {
    const bomb = zip([
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(8 * 1024 * 1024), declaredSize: 1024 },
    ]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const got = code(() => checkZipBudget(bomb, { maxEntries: 100, maxUncompressedBytes: 4 * 1024 * 1024 }));
    expect(got).toMatch(/^TOO_LARGE: .*unpacks to more than 4 MB/);
  });

  it('counts the whole archive: many entries under the per-entry size still add up', () => {
    const parts = Array.from({ length: 10 }, (_, i) => ({
      name: `x${i}.xml`,
      data: Buffer.alloc(1024 * 1024),
    }));
    expect(
      code(() => checkZipBudget(zip(parts), { maxEntries: 100, maxUncompressedBytes: 5 * 1024 * 1024 })),
    ).toMatch(/^TOO_LARGE/);
    expect(
      code(() => checkZipBudget(zip(parts), { maxEntries: 100, maxUncompressedBytes: 20 * 1024 * 1024 })),
    ).toBe('passed');
  });

  it('refuses too many entries', () => {
    const many = zip(Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })));
    expect(code(() => checkZipBudget(many))).toMatch(/^TOO_LARGE: .*1001 files \(at most 1000\)/);
  });

  it('says a truncated file is damaged, not too large', () => {
    const ok = zip([{ name: 'a.xml', data: Buffer.from('<a/>') }]);
    expect(code(() => checkZipBudget(ok.subarray(0, ok.length - 30)))).toMatch(/^INVALID_INPUT/);
  });

  it('the import reader refuses a 120 MB bomb with TOO_LARGE and reads a real workbook', async () => {
    const bomb = zip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(120 * 1024 * 1024) }]);
    await expect(readTableFile(bomb, 'xlsx')).rejects.toMatchObject({ code: 'TOO_LARGE' });
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('vCenters');
    ws.addRow(['name', 'host']);
    ws.addRow(['vc01', 'vc01.corp']);
    const real = Buffer.from(await wb.xlsx.writeBuffer());
    const t = await readTableFile(real, 'xlsx');
    expect(t.rows.map((r) => r.cells)).toEqual([['vc01', 'vc01.corp']]);
  });
});
