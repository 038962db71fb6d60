/** The vault's file names, apart from its format (readers such as `vminer list` name them without loading zod). */
export const VAULT_FILE_NAME = 'credentials.vault';
export const KEY_FILE_NAME = 'vault.key';
export const SECRET_KEY_ENV = 'VMINER_SECRET_KEY';
