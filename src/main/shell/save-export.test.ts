import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { CallOutcome, ExportProgress } from '../../shared/ipc.js';
import type { EngineCaller } from './process-supervisor.js';
import {
  defaultFileName,
  formatFromPath,
  formatsFor,
  saveExport,
  type SaveDialogLike,
} from './save-export.js';

const NOW = new Date('2026-11-26T10:00:00Z');

function deps(answer: { canceled: boolean; filePath?: string }, outcome?: CallOutcome<unknown>) {
  const progress: ExportProgress[] = [];
  const written: string[] = [];
  const busy: (boolean | number)[] = [];
  const dialogCalls: Parameters<SaveDialogLike['showSaveDialog']>[0][] = [];
  const calls: { name: string; args: unknown }[] = [];
  const engine: EngineCaller = {
    call: async (name, args, opts) => {
      calls.push({ name, args });
      // An engine that counted 40 rows and reports twice on the way.
      opts?.onProgress?.({ rows: 0, total: 40 } as never);
      opts?.onProgress?.({ rows: 30, total: 40 } as never);
      const a = args as { path: string };
      return (outcome ?? { ok: true, value: { path: a.path, rows: 12, bytes: 345 } }) as CallOutcome<never>;
    },
  };
  return {
    progress,
    written,
    busy,
    dialogCalls,
    calls,
    deps: {
      dialog: {
        showSaveDialog: async (o: Parameters<SaveDialogLike['showSaveDialog']>[0]) => {
          dialogCalls.push(o);
          return answer;
        },
      },
      engine,
      progress: (p: ExportProgress) => progress.push(p),
      defaultDir: () => '/home/ops/Documents',
      now: () => NOW,
      newId: () => 'e1',
      written: (f: string) => written.push(f),
      busy: (on: boolean | number) => busy.push(on),
    },
  };
}

describe('saveExport (native save dialog → engine export.toFile)', () => {
  it('does nothing when the dialog is cancelled', async () => {
    const d = deps({ canceled: true });
    expect(await saveExport({ entity: 'vms' }, d.deps)).toBeNull();
    expect(d.calls).toEqual([]);
    expect(d.progress).toEqual([]);
  });

  it('takes the format from the chosen file type and reports progress', async () => {
    const d = deps({ canceled: false, filePath: '/tmp/out/Powered Off.CSV' });
    const spec = { query: 'powered off vms', columns: ['name'], suggestedName: 'off' };
    const r = await saveExport(spec, d.deps);
    expect(d.dialogCalls[0]).toMatchObject({
      defaultPath: path.join('/home/ops/Documents', 'off.xlsx'),
      filters: [{ extensions: ['xlsx'] }, { extensions: ['csv'] }, { extensions: ['json'] }],
    });
    expect(d.calls).toEqual([
      {
        name: 'export.toFile',
        args: {
          query: 'powered off vms',
          columns: ['name'],
          path: '/tmp/out/Powered Off.CSV',
          format: 'csv',
          bom: true,
        },
      },
    ]);
    expect(r).toEqual({ path: '/tmp/out/Powered Off.CSV', rows: 12, bytes: 345 });
    const writing = { id: 'e1', phase: 'writing', path: '/tmp/out/Powered Off.CSV', format: 'csv' };
    expect(d.progress).toEqual([
      { ...writing, rows: 0, total: null },
      { ...writing, rows: 0, total: 40 },
      { ...writing, rows: 30, total: 40 },
      { id: 'e1', phase: 'done', path: '/tmp/out/Powered Off.CSV', rows: 12, bytes: 345 },
    ]);
    expect(d.written).toEqual(['/tmp/out/Powered Off.CSV']);
    // Indeterminate until the engine has counted, then the fraction written, then off.
    expect(d.busy).toEqual([true, 0, 0.75, false]);
  });

  it('never adds an extension after the overwrite confirmation: a bare name is written as confirmed, in the format of the filter', async () => {
    const d = deps({ canceled: false, filePath: '/tmp/estate' });
    await saveExport({}, d.deps);
    expect(d.dialogCalls[0]!.filters.map((f) => f.extensions[0])).toEqual(['xlsx', 'json']);
    // "/tmp/estate.xlsx" may exist: the dialog only asked about "/tmp/estate".
    expect(d.calls[0]!.args).toMatchObject({ path: '/tmp/estate', format: 'xlsx', bom: false });

    const csv = deps({ canceled: false, filePath: '/tmp/report' });
    await saveExport({ entity: 'vms', format: 'csv' }, csv.deps);
    expect(csv.dialogCalls[0]).toMatchObject({
      defaultPath: path.join('/home/ops/Documents', 'vminer-vms-2026-11-26.csv'),
      filters: [{ extensions: ['csv'] }],
    });
    expect(csv.calls[0]!.args).toMatchObject({ path: '/tmp/report', format: 'csv', bom: true });
    expect(csv.calls[0]!.args).not.toHaveProperty('suggestedName');
  });

  it('the RVTools layout: its own file type, an .xlsx of the whole estate, never of one list', async () => {
    const d = deps({ canceled: false, filePath: '/tmp/estate-rv.xlsx' });
    await saveExport({ format: 'rvtools' }, d.deps);
    expect(d.dialogCalls[0]).toMatchObject({
      defaultPath: path.join('/home/ops/Documents', 'vminer-rvtools-2026-11-26.xlsx'),
      filters: [{ name: 'RVTools layout workbook (.xlsx)', extensions: ['xlsx'] }],
    });
    expect(d.calls[0]!.args).toMatchObject({ path: '/tmp/estate-rv.xlsx', format: 'rvtools', bom: false });
    // A bare name is the RVTools layout too (the dialog's one file type).
    const bare = deps({ canceled: false, filePath: '/tmp/estate-rv' });
    await saveExport({ format: 'rvtools' }, bare.deps);
    expect(bare.calls[0]!.args).toMatchObject({ path: '/tmp/estate-rv', format: 'rvtools' });
    const json = deps({ canceled: false, filePath: '/tmp/estate-rv.json' });
    await expect(saveExport({ format: 'rvtools' }, json.deps)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/RVTools layout is a workbook\); choose \.xlsx$/),
    });
    await expect(saveExport({ entity: 'vms', format: 'rvtools' }, d.deps)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/RVTools layout is the whole estate/),
    });
    // The plain estate dialog offers the usual workbook and JSON.
    expect(formatsFor({})).toEqual(['xlsx', 'json']);
  });

  it('a typed extension of another offered format wins over the filter; one the export cannot be is refused', async () => {
    const d = deps({ canceled: false, filePath: '/tmp/hosts.json' });
    await saveExport({ entity: 'hosts', format: 'csv' }, d.deps);
    expect(d.calls[0]!.args).toMatchObject({ path: '/tmp/hosts.json', format: 'json' });

    const estate = deps({ canceled: false, filePath: '/tmp/estate.csv' });
    await expect(saveExport({}, estate.deps)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/estate\.csv: .*choose \.xlsx or \.json/),
    });
    expect(estate.calls).toEqual([]);
    await expect(saveExport({ format: 'csv' }, estate.deps)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('reports a failed write with its code and rethrows it', async () => {
    const d = deps(
      { canceled: false, filePath: '/ro/x.json' },
      { ok: false, error: { code: 'INTERNAL', message: 'EACCES: permission denied' } },
    );
    await expect(saveExport({ entity: 'hosts' }, d.deps)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(d.progress.at(-1)).toEqual({
      id: 'e1',
      phase: 'failed',
      path: '/ro/x.json',
      error: { code: 'INTERNAL', message: 'EACCES: permission denied' },
    });
    expect(d.written).toEqual([]);
    expect(d.busy).toEqual([true, 0, 0.75, false]);
  });

  it('validates the renderer-supplied spec before showing any dialog', async () => {
    const d = deps({ canceled: false, filePath: '/tmp/x.csv' });
    const show = vi.spyOn(d.deps.dialog, 'showSaveDialog');
    await expect(saveExport({ entity: 'secrets' }, d.deps)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(saveExport({ entity: 'vms', path: '/etc/cron.d/x' }, d.deps)).resolves.toBeTruthy();
    // A path smuggled into the spec is dropped: only the dialog chooses where the file goes.
    expect(d.calls[0]!.args).toMatchObject({ path: '/tmp/x.csv' });
    expect(show).toHaveBeenCalledOnce();
  });
});

describe('file names and formats', () => {
  it('suggests a dated name with the extension of the filter, keeps only the base name, and replaces characters file systems refuse', () => {
    expect(defaultFileName({ entity: 'vms' }, NOW, 'xlsx')).toBe('vminer-vms-2026-11-26.xlsx');
    expect(defaultFileName({}, NOW, 'json')).toBe('vminer-estate-2026-11-26.json');
    expect(defaultFileName({ entity: 'vms', suggestedName: '../../etc/passwd' }, NOW, 'xlsx')).toBe(
      'passwd.xlsx',
    );
    expect(defaultFileName({ entity: 'vms', suggestedName: 'C:\\x\\a:b?.csv' }, NOW, 'csv')).toBe('a_b_.csv');
    expect(defaultFileName({ entity: 'vms', suggestedName: 'off.csv' }, NOW, 'xlsx')).toBe('off.xlsx');
    expect(defaultFileName({ entity: 'vms', suggestedName: '...' }, NOW, 'xlsx')).toBe('vminer-export.xlsx');
  });

  it('maps extensions to formats case-insensitively and never changes the path', () => {
    expect(formatFromPath('/a/b.XLSX', formatsFor({ entity: 'vms' }), 'csv')).toEqual({
      path: '/a/b.XLSX',
      format: 'xlsx',
    });
    expect(formatFromPath('/a/b.txt', formatsFor({ entity: 'vms' }), 'csv')).toEqual({
      path: '/a/b.txt',
      format: 'csv',
    });
  });
});
