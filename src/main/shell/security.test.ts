import { describe, expect, it, vi } from 'vitest';
import {
  guardSession,
  guardWebContents,
  isAppUrl,
  isTrustedSender,
  safeExternalUrl,
  SECURE_WEB_PREFERENCES,
  type SessionLike,
  type WebContentsLike,
} from './security.js';

const origin = { url: 'file:///opt/vMiner/resources/app.asar/out/renderer/index.html' };

describe('safeExternalUrl', () => {
  it.each([
    ['https://docs.vmware.com/en/x', 'https://docs.vmware.com/en/x'],
    ['http://vc01.corp/ui', 'http://vc01.corp/ui'],
  ])('opens %s', (raw, expected) => expect(safeExternalUrl(raw)).toBe(expected));

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://share/x',
    'vminer://x',
    'https://user:pw@host/',
    'not a url',
    '//host/path',
    'data:text/html,hi',
    42,
    undefined,
    `https://x.example/${'a'.repeat(3000)}`,
  ])('refuses %s', (raw) => expect(safeExternalUrl(raw)).toBeNull());
});

describe('isAppUrl / isTrustedSender', () => {
  it('accepts our own page only', () => {
    expect(isAppUrl(origin.url, origin)).toBe(true);
    expect(isAppUrl(`${origin.url}#/vms`, origin)).toBe(true);
    expect(isAppUrl('file:///tmp/evil.html', origin)).toBe(false);
    expect(isAppUrl('https://evil.example/', origin)).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', { url: 'http://localhost:5173/' })).toBe(true);
    expect(isAppUrl('http://localhost:5174/', { url: 'http://localhost:5173/' })).toBe(false);
  });

  const opts = { origin, windowIds: () => [7] };
  const top = { url: origin.url, parent: null };
  it('trusts the top frame of our window showing our page', () => {
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: top }, opts)).toBe(true);
  });
  it('refuses subframes, other web contents, other pages and a missing frame', () => {
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: { url: origin.url, parent: top } }, opts)).toBe(
      false,
    );
    expect(isTrustedSender({ sender: { id: 8 }, senderFrame: top }, opts)).toBe(false);
    expect(
      isTrustedSender({ sender: { id: 7 }, senderFrame: { url: 'https://x.example/', parent: null } }, opts),
    ).toBe(false);
    expect(isTrustedSender({ sender: { id: 7 }, senderFrame: null }, opts)).toBe(false);
  });
});

type Listener = (e: { preventDefault(): void }, url?: string) => void;

function fakeContents(): WebContentsLike & {
  emit(event: string, url?: string): boolean;
  open(url: string): { action: string };
} {
  const listeners = new Map<string, Listener>();
  let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  return {
    on: ((event: string, l: Listener) => void listeners.set(event, l)) as WebContentsLike['on'],
    setWindowOpenHandler: (h) => {
      openHandler = h;
    },
    emit(event, url) {
      let prevented = false;
      listeners.get(event)!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    },
    open: (url) => openHandler!({ url }),
  };
}

describe('guardWebContents', () => {
  it('denies navigation, redirects, webviews and new windows', () => {
    const c = fakeContents();
    const refused = vi.fn();
    const openExternal = vi.fn(async () => {});
    guardWebContents(c, { openExternal, refused });
    expect(c.emit('will-navigate', 'https://evil.example/')).toBe(true);
    expect(c.emit('will-redirect', 'https://evil.example/')).toBe(true);
    expect(c.emit('will-attach-webview')).toBe(true);
    expect(c.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();
    expect(refused.mock.calls.map((x) => x[0])).toEqual(['navigation', 'redirect', 'webview', 'new window']);
  });

  it('opens parsed http(s) links in the browser, still denying the window', () => {
    const c = fakeContents();
    const openExternal = vi.fn(async () => {});
    guardWebContents(c, { openExternal, refused: () => {} });
    expect(c.open('https://kb.vmware.com/s/article/1')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://kb.vmware.com/s/article/1');
  });
});

describe('guardSession', () => {
  it('denies every permission request and check but writing to the clipboard', () => {
    let request: Parameters<SessionLike['setPermissionRequestHandler']>[0] | undefined;
    let check: Parameters<SessionLike['setPermissionCheckHandler']>[0] | undefined;
    guardSession(
      {
        setPermissionRequestHandler: (h) => (request = h),
        setPermissionCheckHandler: (h) => (check = h),
      },
      { refused: () => {} },
    );
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      request!(null, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(check!(null, p)).toBe(false);
    }
    // Copy in the grids and the chat writes to the clipboard.
    const cb = vi.fn();
    request!(null, 'clipboard-sanitized-write', cb);
    expect(cb).toHaveBeenCalledWith(true);
    expect(check!(null, 'clipboard-sanitized-write')).toBe(true);
  });
});

it('never relaxes the window preferences', () => {
  expect(SECURE_WEB_PREFERENCES).toMatchObject({
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
  });
});
