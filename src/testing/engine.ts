import { Engine, type EngineOptions } from '../main/engine/engine.js';

/**
 * The engine on a test's data folder: the file vault (no keychain needed), warnings dropped, and
 * "test" as the lock's owner unless the test says otherwise.
 */
export function openTestEngine(
  dataDir: string,
  opts: Partial<Omit<EngineOptions, 'dataDir'>> = {},
): Promise<Engine> {
  return Engine.open({ owner: 'test', vaultBackend: 'file', onWarning: () => undefined, ...opts, dataDir });
}
