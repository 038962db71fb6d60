import type { CallRole, ContractResults, RequestArgs, RequestName } from '../../../shared/contract.js';
import type { EngineEvents } from '../../../shared/events.js';
import {
  apiFromBridge,
  type EventName,
  type ExportSpec,
  type VminerApi,
  type VminerBridge,
} from '../../../shared/ipc.js';
import { HttpApi } from './http.js';

declare global {
  interface Window {
    /** Set by the Electron preload script; absent when the UI is served by `vminer serve`. */
    vminer?: VminerBridge;
  }
}

const TOKEN_KEY = 'vminer.token';

/** The bearer token of the browser session (this tab only); unused in the desktop app. */
export const session = {
  get(): string | null {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    if (!raw) return null;
    try {
      const { token, expiresAt } = JSON.parse(raw) as { token: string; expiresAt: number };
      return expiresAt > Date.now() ? token : null;
    } catch {
      return null;
    }
  },
  set(token: string, expiresAt: number): void {
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, expiresAt }));
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** The logged-in user as the token says (its payload is readable; the server checks its signature). */
export interface SessionUser {
  name: string;
  role: CallRole;
}

/** Decodes a JWT's payload (base64url JSON); null when it is not one. */
export function userOfToken(token: string): SessionUser | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      Array.from(atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '=')))
        .map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
        .join(''),
    );
    const p = JSON.parse(json) as { sub?: unknown; role?: unknown };
    return { name: typeof p.sub === 'string' ? p.sub : '', role: p.role === 'viewer' ? 'viewer' : 'admin' };
  } catch {
    return null;
  }
}

const unauthorizedHandlers = new Set<() => void>();
/** Called when the server rejects the token (expired, revoked): the app shows the login page. */
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedHandlers.add(fn);
  return () => unauthorizedHandlers.delete(fn);
}

export const bridge: VminerBridge | undefined = typeof window !== 'undefined' ? window.vminer : undefined;
export const isDesktop = bridge !== undefined;

/** Who is using the UI: the desktop app's user is always an admin; a browser's is its token's. */
export function currentUser(): SessionUser {
  if (isDesktop) return { name: '', role: 'admin' };
  const t = session.get();
  return (t ? userOfToken(t) : null) ?? { name: '', role: 'viewer' };
}

export const http = new HttpApi(
  '',
  () => session.get(),
  () => {
    session.clear();
    for (const fn of unauthorizedHandlers) fn();
  },
);

// Through the bridge's `invoke`, so errors keep their codes (contextBridge would drop them).
const transport: VminerApi = bridge ? apiFromBridge(bridge) : http;

/** The one API object the screens use, typed by the contract. */
export const api = {
  call<K extends RequestName>(name: K, args: RequestArgs<K>): Promise<ContractResults[K]> {
    return transport.call(name, args);
  },
  on<E extends EventName>(event: E, listener: (payload: EngineEvents[E]) => void): () => void {
    return transport.on(event, listener);
  },
};

/** `rvtools`: the whole estate in RVTools' layout (an .xlsx workbook). */
export type ExportFormat = 'csv' | 'xlsx' | 'json' | 'rvtools';

/**
 * Exports what a grid or an answer shows. Desktop: the native save dialog for the chosen format
 * and the engine writes the file. Browser: a download from the server.
 */
export async function exportView(spec: ExportSpec, format: ExportFormat): Promise<string | null> {
  if (bridge) {
    const r = await bridge.desktop.saveExport({ ...spec, format });
    return r ? `Saved ${r.rows.toLocaleString()} rows to ${r.path}` : null;
  }
  const { suggestedName: _name, ...body } = spec;
  const route = format === 'xlsx' ? 'excel' : format;
  // (`rvtools` is its own route: POST /api/export/rvtools.)
  const { blob, fileName } = await http.download(route, {
    ...body,
    ...(format === 'csv' ? { bom: true } : {}),
  });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return `Downloaded ${fileName}`;
}
