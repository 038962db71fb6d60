/** Names of vMiner's own files in the data folder (the vault's are in secrets/format.ts). */
export const DB_FILE = 'vminer.db';
/** Who holds the folder (JSON), for the messages of refused writers and the doctor. */
export const LOCK_FILE = 'engine.lock';
/** The writer's OS lock (see data-lock.ts). */
export const OS_LOCK_FILE = 'engine.lock.sqlite';
