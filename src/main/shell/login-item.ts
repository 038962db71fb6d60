import path from 'node:path';

export const HIDDEN_ARG = '--hidden';

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  /** Electron's `app.setLoginItemSettings` (Windows and macOS). */
  setLoginItemSettings(s: { openAtLogin: boolean; args?: string[] }): void;
  /** The command that starts this app (an AppImage's path when run from one). */
  command: string;
  /** `$XDG_CONFIG_HOME/autostart` on Linux. */
  autostartDir: string;
  writeFile(file: string, text: string): void;
  removeFile(file: string): void;
}

export const AUTOSTART_FILE = 'vminer.desktop';

const quoteExec = (s: string): string => (/[\s"'\\$`]/.test(s) ? `"${s.replace(/(["\\$`])/g, '\\$1')}"` : s);

/**
 * "Start at login": Electron's login items on Windows and macOS; an XDG autostart entry on Linux,
 * where Electron has none. vMiner then starts hidden in the tray.
 */
export function applyLoginItem(openAtLogin: boolean, deps: LoginItemDeps): void {
  if (deps.platform === 'linux') {
    const file = path.join(deps.autostartDir, AUTOSTART_FILE);
    if (!openAtLogin) {
      deps.removeFile(file);
      return;
    }
    deps.writeFile(
      file,
      [
        '[Desktop Entry]',
        'Type=Application',
        'Name=vMiner',
        'Comment=vCenter inventory, kept fresh',
        `Exec=${quoteExec(deps.command)} ${HIDDEN_ARG}`,
        'X-GNOME-Autostart-enabled=true',
        'Terminal=false',
        '',
      ].join('\n'),
    );
    return;
  }
  deps.setLoginItemSettings({ openAtLogin, args: [HIDDEN_ARG] });
}
