import os from 'node:os';
import path from 'node:path';

/** The per-user app data folder, the same one Electron's `app.getPath('userData')` gives the desktop app. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env['VMINER_DATA_DIR']) return path.resolve(env['VMINER_DATA_DIR']);
  const home = os.homedir();
  if (platform === 'win32')
    return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'vMiner');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'vMiner');
  return path.join(env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), 'vMiner');
}
