/**
 * Security restrictions for every web contents the app creates: no navigation, no redirects, no
 * new windows, no webviews, no permissions; external links only for parsed http(s) URLs; IPC only
 * from our own top-level frame. Electron objects come in as parameters so this is testable in Node.
 */

/** A URL the user may open in their browser: parsed, http or https, no embedded credentials. */
export function safeExternalUrl(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  if (!url.hostname) return null;
  return url.href;
}

/** The renderer's own page: the built index.html (file:) or, in development, the dev server's origin. */
export interface AppOrigin {
  /** The exact URL the window loads, e.g. file:///opt/vMiner/resources/app.asar/out/renderer/index.html. */
  url: string;
}

export function isAppUrl(raw: string | undefined | null, origin: AppOrigin): boolean {
  if (!raw) return false;
  let url: URL;
  let app: URL;
  try {
    url = new URL(raw);
    app = new URL(origin.url);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return url.protocol === 'file:' && url.pathname === app.pathname;
  return url.origin === app.origin;
}

export interface FrameLike {
  url: string;
  parent: FrameLike | null;
}

export interface IpcEventLike {
  sender: { id: number };
  senderFrame: FrameLike | null;
}

/**
 * IPC is accepted only from the top frame of one of our windows showing our own page: not from a
 * subframe, not after a (denied, but still) navigation elsewhere, not from other web contents.
 */
export function isTrustedSender(
  event: IpcEventLike,
  opts: { origin: AppOrigin; windowIds: () => Iterable<number> },
): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (![...opts.windowIds()].includes(event.sender.id)) return false;
  return isAppUrl(frame.url, opts.origin);
}

interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  on(event: 'will-navigate', listener: (e: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (e: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (e: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface SessionLike {
  setPermissionRequestHandler(
    handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (wc: unknown, permission: string) => boolean): void;
}

export interface GuardDeps {
  openExternal(url: string): Promise<void>;
  /** Logs what was refused (a blocked navigation is worth knowing about). */
  refused(what: string, detail: string): void;
}

/** Installs the navigation, redirect, window and webview guards on one web contents. */
export function guardWebContents(contents: WebContentsLike, deps: GuardDeps): void {
  contents.on('will-navigate', (e, url) => {
    e.preventDefault();
    deps.refused('navigation', url);
  });
  contents.on('will-redirect', (e, url) => {
    e.preventDefault();
    deps.refused('redirect', url);
  });
  contents.on('will-attach-webview', (e) => {
    e.preventDefault();
    deps.refused('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    const safe = safeExternalUrl(url);
    if (safe) {
      deps
        .openExternal(safe)
        .catch((err: unknown) => deps.refused('external link', `${safe}: ${String(err)}`));
    } else {
      deps.refused('new window', url);
    }
    return { action: 'deny' };
  });
}

/**
 * Writing text to the clipboard (the grids' and chat's Copy): the one permission granted. Reading
 * the clipboard stays denied. (Only the app's own page is ever loaded: navigation is blocked.)
 */
const GRANTED = new Set(['clipboard-sanitized-write']);

/** Every other permission (camera, notifications from the page, geolocation, …) is denied. */
export function guardSession(session: SessionLike, deps: Pick<GuardDeps, 'refused'>): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    const granted = GRANTED.has(permission);
    if (!granted) deps.refused('permission', permission);
    callback(granted);
  });
  session.setPermissionCheckHandler((_wc, permission) => GRANTED.has(permission));
}

/** The webPreferences every window gets; never relaxed, tests included. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;
