import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type WindowWithBridge } from './fixtures.js';

test('export through the (mocked) save dialog: format from the file type, progress, show in folder', async ({
  launch,
  dataDir,
}) => {
  const { app, page } = await launch();
  const file = path.join(dataDir, 'exports', 'vms.csv');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await app.evaluate(({ dialog, shell }, target) => {
    const g = globalThis as unknown as { shown: string[] };
    g.shown = [];
    dialog.showSaveDialog = (async () => ({
      canceled: false,
      filePath: target,
    })) as typeof dialog.showSaveDialog;
    shell.showItemInFolder = (p: string) => void g.shown.push(p);
  }, file);
  const result = await page.evaluate(async () => {
    const v = (window as unknown as WindowWithBridge).vminer;
    const phases: string[] = [];
    v.desktop.on('export:progress', (p) => phases.push(p.phase));
    const r = await v.desktop.saveExport({ entity: 'vms', columns: ['name', 'powerState'] });
    if (r) await v.desktop.showInFolder(r.path);
    return { r, phases };
  });
  expect(result.r).toMatchObject({ path: file, rows: 0 });
  expect(result.phases).toEqual(['writing', 'done']);
  expect(fs.readFileSync(file, 'utf8')).toMatch(/Name/);
  expect(await app.evaluate(() => (globalThis as unknown as { shown: string[] }).shown)).toEqual([file]);

  const cancelled = await (async () => {
    await app.evaluate(({ dialog }) => {
      dialog.showSaveDialog = (async () => ({
        canceled: true,
        filePath: '',
      })) as typeof dialog.showSaveDialog;
    });
    return page.evaluate(() =>
      (window as unknown as WindowWithBridge).vminer.desktop.saveExport({ entity: 'hosts' }),
    );
  })();
  expect(cancelled).toBeNull();
  const refused = await page.evaluate(() =>
    (window as unknown as WindowWithBridge).vminer.desktop.showInFolder('/etc/passwd').then(
      () => 'shown',
      (e: Error) => e.message,
    ),
  );
  expect(refused).toMatch(/only files vMiner exported/);
});
