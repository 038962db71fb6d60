import { redact } from '../engine/secrets/redact.js';
import type { EngineCaller } from './process-supervisor.js';
import type { EngineHostState, ShellPreferences, VminerBridge } from '../../shared/ipc.js';

export interface DiagnosticsDeps {
  engine: EngineCaller;
  engineState: () => EngineHostState;
  versions: VminerBridge['versions'];
  platform: { os: string; release: string; arch: string };
  prefs: ShellPreferences;
  /** The engine's log file (JSON lines), or undefined before the engine started. */
  logFile: string | undefined;
  readLog: (file: string) => Promise<string>;
  homeDir: string;
  now?: () => Date;
}

const SENSITIVE_KEY =
  /^(?:[a-z_]*password|passwd|secret|token|access_token|authorization|apikey|api_key|cookie)$/i;

/** Masks what a support bundle must never carry in one piece of text. */
export function scrub(text: string, extraSecrets: readonly string[], homeDir: string): string {
  let out = redact(text, extraSecrets);
  out = out.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 ***');
  out = out.replace(/(vmware_soap_session=\\?"?)[^";\s\\]+/gi, '$1***');
  if (homeDir.length > 1) out = out.split(homeDir).join('~');
  return out;
}

/** The same, through a whole value: secret-looking keys lose their value, every string is scrubbed. */
export function scrubValue(value: unknown, extraSecrets: readonly string[], homeDir: string): unknown {
  if (typeof value === 'string') return scrub(value, extraSecrets, homeDir);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, extraSecrets, homeDir));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SENSITIVE_KEY.test(k) && v !== null && typeof v !== 'boolean'
          ? '***'
          : scrubValue(v, extraSecrets, homeDir),
      ]),
    );
  return value;
}

/** The last `max` warning and error lines of the engine log. */
export function recentErrors(log: string, max = 50): unknown[] {
  const out: unknown[] = [];
  for (const line of log.split('\n').reverse()) {
    if (out.length >= max) break;
    if (!line.includes('"level":"error"') && !line.includes('"level":"warn"')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      out.push(line.slice(0, 2000));
    }
  }
  return out.reverse();
}

/**
 * A support bundle to paste into a ticket: versions, settings, per-vCenter status and recent
 * errors. Account names, tokens, session cookies and the home folder are masked; passwords never
 * reach the main process at all (they live in the engine's vault and are redacted from its log).
 */
export async function buildDiagnostics(deps: DiagnosticsDeps): Promise<string> {
  const settings = await deps.engine.call('settings.get', {});
  const vcenters = await deps.engine.call('vcenters.list', {});
  const secrets: string[] = [];
  const vcenterRows = vcenters.ok
    ? vcenters.value.map((v) => {
        secrets.push(v.username);
        return {
          id: v.id,
          name: v.name,
          url: v.url,
          enabled: v.enabled,
          version: v.version,
          pinnedThumbprint: v.thumbprint !== null,
          customCa: v.hasCustomCa,
          status: v.sync.status,
          lastSyncAt: v.sync.finishedAt,
          lastSuccessAt: v.sync.lastSuccessAt,
          error: v.sync.error,
          warnings: v.sync.warnings.length,
        };
      })
    : { error: vcenters.error };
  let errors: unknown[] | { error: string } = [];
  if (deps.logFile) {
    try {
      errors = recentErrors(await deps.readLog(deps.logFile));
    } catch (err) {
      errors = { error: `could not read ${deps.logFile}: ${(err as Error).message}` };
    }
  }
  const bundle = {
    generatedAt: (deps.now?.() ?? new Date()).toISOString(),
    versions: deps.versions,
    platform: deps.platform,
    engine: deps.engineState(),
    shellPreferences: deps.prefs,
    settings: settings.ok ? settings.value : { error: settings.error },
    vcenters: vcenterRows,
    recentErrors: errors,
  };
  return JSON.stringify(
    scrubValue(
      bundle,
      secrets.filter((s) => s.length >= 3),
      deps.homeDir,
    ),
    null,
    2,
  );
}
