export { CredentialVault, keychainAccountFor, type OpenVaultOptions, type VaultBackend } from './vault.js';
export type { SecretVault } from './secret-vault.js';
export { VaultError, isVaultError, type VaultErrorCode } from './errors.js';
export { redact, REDACTED } from './redact.js';
export { probeKeychain, DEFAULT_KEYCHAIN_SERVICE, type KeychainProbe } from './keychain.js';
export { SECRET_KEY_ENV, VAULT_FILE_NAME, KEY_FILE_NAME } from './format.js';
