import { expect, test, type WindowWithBridge } from './fixtures.js';

test('the renderer has no Node and sees only the bridge', async ({ launch }) => {
  const { page } = await launch();
  // The window's preferences themselves are asserted in src/main/shell/desktop-app.test.ts; here their effect.
  const globals = await page.evaluate(() => {
    const g = globalThis as Record<string, unknown>;
    return {
      require: typeof g['require'],
      process: typeof g['process'],
      module: typeof g['module'],
      bridge: typeof g['vminer'],
    };
  });
  expect(globals).toEqual({
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
    bridge: 'object',
  });
});

test('navigation, new windows and permissions (but clipboard writes) are denied; http(s) links open outside', async ({
  launch,
}) => {
  const { app, page } = await launch();
  await app.evaluate(({ shell }) => {
    const g = globalThis as unknown as { opened: string[] };
    g.opened = [];
    shell.openExternal = async (url: string) => {
      g.opened.push(url);
    };
  });
  const start = page.url();
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(start);
  const popups = await page.evaluate(() => [
    window.open('https://kb.vmware.com/s/article/2') === null,
    window.open('file:///etc/passwd') === null,
  ]);
  expect(popups).toEqual([true, true]);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  await expect
    .poll(() => app.evaluate(() => (globalThis as unknown as { opened: string[] }).opened))
    .toEqual(['https://kb.vmware.com/s/article/2']);
  expect(await page.evaluate(() => Notification.requestPermission())).toBe('denied');
  // The one permission granted: Copy in the grids writes to the clipboard (reading stays denied).
  await page.bringToFront();
  expect(
    await page.evaluate(() =>
      navigator.clipboard.writeText('vMiner').then(
        () => 'written',
        (e: unknown) => String(e),
      ),
    ),
  ).toBe('written');
});

test('IPC validates every call and keeps error codes', async ({ launch }) => {
  const { page } = await launch();
  const outcomes = await page.evaluate(async () => {
    const v = (window as unknown as WindowWithBridge).vminer;
    const loose = v.invoke as (name: string, args: unknown) => Promise<unknown>;
    return Promise.all([
      loose('inventory.list', { entity: 'vms', limit: 1e9 }),
      loose('export.toFile', { path: '/tmp/x.csv', format: 'csv', entity: 'vms' }),
      loose('no.such.call', {}),
      v.invoke('vcenters.get', { id: 4242 }),
      v.desktop.openExternal('file:///etc/passwd').then(
        () => 'opened',
        (e: Error) => e.message,
      ),
    ]);
  });
  expect(outcomes.slice(0, 4)).toEqual([
    expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'INVALID_INPUT' }) }),
    expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'PERMISSION_DENIED' }) }),
    expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'INVALID_INPUT' }) }),
    expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'NOT_FOUND' }) }),
  ]);
  expect(outcomes[4]).toMatch(/only http and https/);
});
