import path from 'node:path';

export const ELECTRON_SQLITE = path.join('native', 'electron', 'better_sqlite3.node');

/**
 * Where the Electron build of better-sqlite3 is: beside the app (development) or unpacked from the
 * asar (packaged). `undefined` when absent: the engine then tries node_modules' build, which only
 * works if that build happens to be Electron's, and otherwise says to run `npm run native:electron`.
 */
export function electronSqliteBinding(opts: {
  isPackaged: boolean;
  appPath: string;
  resourcesPath: string;
  exists: (file: string) => boolean;
}): string | undefined {
  const file = opts.isPackaged
    ? path.join(opts.resourcesPath, 'app.asar.unpacked', ELECTRON_SQLITE)
    : path.join(opts.appPath, ELECTRON_SQLITE);
  return opts.exists(file) ? file : undefined;
}
