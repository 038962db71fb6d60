import { vi } from 'vitest';

/**
 * Waits until `check` holds (vitest's `vi.waitFor`, which retries a callback until it stops
 * throwing): for conditions a test cannot await directly, such as a live session's state.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  opts: { timeout?: number; interval?: number; what?: string } = {},
): Promise<void> {
  const timeout = opts.timeout ?? 10_000;
  await vi.waitFor(
    async () => {
      if (!(await check()))
        throw new Error(`timed out after ${timeout} ms waiting for ${opts.what ?? 'a condition'}`);
    },
    { timeout, interval: opts.interval ?? 50 },
  );
}
