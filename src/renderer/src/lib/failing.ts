/** Statuses that mean a vCenter's data is not being kept up to date: it needs someone's attention. */
export const FAILING_STATUSES: readonly string[] = ['failed', 'certificate_changed', 'reconnecting'];

export const isFailing = (status: string): boolean => FAILING_STATUSES.includes(status);
