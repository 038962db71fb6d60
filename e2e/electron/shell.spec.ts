import { spawnSync } from 'node:child_process';
import { expect, ROOT, test, type WindowWithBridge } from './fixtures.js';

test('the window opens with the bridge and the engine answers through it', async ({ launch }) => {
  const { app, page } = await launch();
  expect(await page.title()).toBe('vMiner');
  const bridge = await page.evaluate(() => {
    const v = (window as unknown as WindowWithBridge).vminer;
    return { keys: Object.keys(v).sort(), desktop: Object.keys(v.desktop).sort(), versions: v.versions };
  });
  expect(bridge.keys).toEqual(['call', 'desktop', 'invoke', 'on', 'versions']);
  expect(bridge.desktop).toContain('saveExport');
  expect(bridge.versions.electron).toMatch(/^\d+\./);
  const stats = await page.evaluate(() =>
    (window as unknown as WindowWithBridge).vminer.call('stats.get', {}),
  );
  expect(stats.totals.vms).toBe(0);
  const windows = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
  expect(windows).toBe(1);
});

test('the window keeps its size and position across restarts', async ({ launch }) => {
  const first = await launch();
  await first.app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()[0]!.setBounds({ x: 40, y: 30, width: 1024, height: 700 }),
  );
  await first.app.close();
  const second = await launch();
  const bounds = await second.app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()[0]!.getBounds(),
  );
  expect(bounds).toMatchObject({ width: 1024, height: 700 });
});

test('closing the window keeps vMiner running in the tray', async ({ launch }) => {
  const { app } = await launch();
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close());
  const state = await app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows().map((w) => ({ visible: w.isVisible(), destroyed: w.isDestroyed() })),
  );
  expect(state).toEqual([{ visible: false, destroyed: false }]);
});

test('the tray menu follows the schedule', async ({ launch }) => {
  const { app, page } = await launch();
  await app.evaluate(({ Tray }) => {
    const g = globalThis as unknown as { trayMenus: string[][] };
    g.trayMenus = [];
    const original = Tray.prototype.setContextMenu;
    Tray.prototype.setContextMenu = function (menu) {
      g.trayMenus.push(menu ? menu.items.map((i) => i.label) : []);
      return original.call(this, menu);
    };
  });
  await page.evaluate(() => (window as unknown as WindowWithBridge).vminer.call('scheduler.start', {}));
  await expect
    .poll(() =>
      app.evaluate(() => (globalThis as unknown as { trayMenus: string[][] }).trayMenus.at(-1) ?? []),
    )
    .toEqual(expect.arrayContaining(['Sync now', 'Pause schedule', 'Open vMiner', 'Quit vMiner']));
});

test('a second launch hands over to the first window and exits', async ({ launch, dataDir }) => {
  const { app } = await launch();
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.minimize());
  const executable = await app.evaluate(() => process.execPath);
  const second = spawnSync(executable, [ROOT], {
    env: { ...process.env, VMINER_DATA_DIR: dataDir },
    timeout: 30_000,
  });
  expect(second.status).toBe(0);
  await expect
    .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.isMinimized()))
    .toBe(false);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});
