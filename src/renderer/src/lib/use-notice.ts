import { useCallback, useState } from 'react';

export interface Notice {
  text: string;
  error: boolean;
}

/**
 * The status line of a panel: runs an action, shows its success text or its error message.
 * `run` resolves after the action, whichever way it went.
 */
export function useNotice(): [Notice | null, (action: () => Promise<unknown>, ok: string) => Promise<void>] {
  const [notice, setNotice] = useState<Notice | null>(null);
  const run = useCallback(async (action: () => Promise<unknown>, ok: string): Promise<void> => {
    setNotice(null);
    try {
      await action();
      setNotice({ text: ok, error: false });
    } catch (e) {
      setNotice({ text: (e as Error).message, error: true });
    }
  }, []);
  return [notice, run];
}
