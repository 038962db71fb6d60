import { afterEach, describe, expect, it } from 'vitest';
import {
  startHostileVcenter,
  type HostileOptions,
  type HostileVcenter,
} from '../../../testing/hostile-vcenter.js';
import { VminerError } from '../../../shared/errors.js';
import { collectInventory } from './collect.js';

const MB = 1024 * 1024;
let server: HostileVcenter | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(
  opts: HostileOptions,
  limits: { maxAnswerBytes?: number; maxAnswerDepth?: number; callTimeoutMs?: number } = {},
): Promise<VminerError> {
  server = await startHostileVcenter(opts);
  const err = await collectInventory({
    url: server.url,
    user: 'u',
    password: 'p',
    trust: { kind: 'thumbprint', sha256: server.thumbprintSha256 },
    callTimeoutMs: limits.callTimeoutMs ?? 30_000,
    ...(limits.maxAnswerBytes ? { maxAnswerBytes: limits.maxAnswerBytes } : {}),
    ...(limits.maxAnswerDepth ? { maxAnswerDepth: limits.maxAnswerDepth } : {}),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VminerError);
  return err as VminerError;
}

describe('answers a vCenter must not be able to send', () => {
  it('malformed XML is a PROTOCOL error that says where, not a dropped connection', async () => {
    const err = await failure({ kind: 'malformed' });
    expect(err.code).toBe('PROTOCOL');
    // Line 3 is `<soapenv:Body><RetrievePropertiesExResponse …><returnval><token>1</tokn>…`.
    const column =
      '<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><token>1'.length + 1;
    expect(err.message).toMatch(
      new RegExp(
        `^malformed answer from 127\\.0\\.0\\.1:\\d+ to RetrievePropertiesEx: closing tag </tokn> does not match <token> \\(line 3, column ${column}\\)$`,
      ),
    );
  });

  it('an announced 200 MB service content is refused before it is read (before login)', async () => {
    const err = await failure({ kind: 'oversized', at: 'RetrieveServiceContent', declareLength: true });
    expect(err.code).toBe('ANSWER_TOO_LARGE');
    expect(err.message).toMatch(/the answer to RetrieveServiceContent is 200 MB \(Content-Length\)/);
    expect(err.message).toContain('128 MB');
    expect(server!.calls).toEqual(['RetrieveServiceContent']);
  });

  it('a chunked answer is cut off once it passes the limit', async () => {
    const err = await failure({ kind: 'oversized' }, { maxAnswerBytes: 8 * MB });
    expect(err.code).toBe('ANSWER_TOO_LARGE');
    expect(err.message).toMatch(/the answer to RetrievePropertiesEx grew past 8 MB/);
    // The server was stopped early: at most the limit plus what was in flight.
    expect(server!.hostileBytesSent).toBeLessThan(40 * MB);
  });

  it('a single text node is cut off at the limit too, in linear time', async () => {
    const t0 = Date.now();
    const err = await failure({ kind: 'long-text' }, { maxAnswerBytes: 32 * MB });
    expect(err.code).toBe('ANSWER_TOO_LARGE');
    expect(err.message).toMatch(/RetrievePropertiesEx grew past 32 MB/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('deep nesting is refused at the depth limit', async () => {
    const err = await failure({ kind: 'deep', sizeMb: 50 }, { maxAnswerDepth: 64 });
    expect(err.code).toBe('ANSWER_TOO_LARGE');
    expect(err.message).toMatch(
      /RetrievePropertiesEx was refused: elements are nested deeper than 64 levels/,
    );
    expect(server!.hostileBytesSent).toBeLessThan(40 * MB);
  });

  it('a trickle that never completes times out as a timeout', async () => {
    const err = await failure({ kind: 'trickle', trickleMs: 50 }, { callTimeoutMs: 1_500 });
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/no complete answer to RetrievePropertiesEx within 1.5 s/);
  });
});
