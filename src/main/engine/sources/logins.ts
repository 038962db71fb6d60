import type { AccountStore } from './account-rules.js';

export interface LoginChoice {
  useServiceAccount: boolean;
  serviceAccountId: number | null;
  username: string;
  /** How the preview describes it. */
  label: string;
}

/**
 * A list names at most a user, never a password. No user: the default service account. A user that
 * is a service account's name or user name: that account. Any other user: the vCenter's own
 * account, whose password is set afterwards (`vminer vcenter set-password`).
 */
export function loginFor(
  username: string | null,
  accounts: Pick<AccountStore, 'getDefault' | 'findByNameOrUser'>,
): LoginChoice {
  if (!username) {
    const d = accounts.getDefault();
    return {
      useServiceAccount: true,
      serviceAccountId: null,
      username: '',
      label: d ? `default service account (${d.name})` : 'default service account (none set yet)',
    };
  }
  const a = accounts.findByNameOrUser(username);
  if (a)
    return {
      useServiceAccount: true,
      serviceAccountId: a.id,
      username: '',
      label: `service account ${a.name}`,
    };
  return {
    useServiceAccount: false,
    serviceAccountId: null,
    username,
    label: `own account ${username} (set its password)`,
  };
}
