/**
 * How the SOAP client reports what goes wrong against real simulators: every failure is a
 * VminerError with a code a program can branch on and a message that never repeats a password.
 */
import { freePort } from '../../../testing/net.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, stopAll, type RunningSimulator } from '../../../testing/vcsim.js';
import { VminerError, type ErrorCode } from '../../../shared/errors.js';
import { collectInventory } from './collect.js';
import { startPagingProxy } from '../../../testing/paging-proxy.js';
import { SoapClient, type SoapClientOptions } from './soap-client.js';
import type { TrustPolicy } from './transport.js';

const USER = 'svc-vminer@vsphere.local';
const PASSWORD = `s3cr<et&"quo'te>`;
const WRONG_PASSWORD = `wr0ng<&"'pass`;
const SECRETS = [PASSWORD, WRONG_PASSWORD, 's3cr', 'wr0ng'];

let sim: RunningSimulator;
let slow: RunningSimulator;
const messages: string[] = [];

function pinned(s: RunningSimulator): TrustPolicy {
  return { kind: 'thumbprint', sha256: s.thumbprintSha256 };
}

/** Every message in the cause chain, so the password check also covers wrapped errors. */
function allMessages(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err, i = 0; e instanceof Error && i < 10; e = e.cause, i++) out.push(e.message);
  return out;
}

/** Runs `fn`, expects a VminerError with `code`, and returns it (and its time to fail). */
async function expectCode(
  code: ErrorCode,
  fn: () => Promise<unknown>,
): Promise<{ err: VminerError; ms: number }> {
  const t0 = performance.now();
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  const ms = performance.now() - t0;
  messages.push(...allMessages(caught));
  expect(caught, `expected ${code}, but the call succeeded`).toBeDefined();
  expect(caught).toBeInstanceOf(VminerError);
  const err = caught as VminerError;
  expect({ code: err.code, message: err.message }).toMatchObject({ code });
  return { err, ms };
}

/** One client call (RetrieveServiceContent + Login), destroying the client afterwards. */
async function connect(opts: SoapClientOptions, password = PASSWORD): Promise<void> {
  const client = new SoapClient(opts);
  try {
    await client.login(USER, password);
    await client.logout();
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  [sim, slow] = await Promise.all([
    startSimulator({ vms: 4, user: USER, password: PASSWORD }),
    startSimulator({ vms: 4, delayMs: 3000 }),
  ]);
});

afterAll(async () => {
  await stopAll();
});

describe('SOAP client failures against real simulators', () => {
  it('logs in with the right password, XML-special characters included', async () => {
    const res = await collectInventory({ url: sim.url, user: USER, password: PASSWORD, trust: pinned(sim) });
    expect(res.inventory.vms).toHaveLength(sim.counts.vms);
  });

  it('a wrong password is LOGIN_FAILED, naming the user', async () => {
    const { err } = await expectCode('LOGIN_FAILED', () =>
      collectInventory({ url: sim.url, user: USER, password: WRONG_PASSWORD, trust: pinned(sim) }),
    );
    expect(err.message).toContain(USER);
    expect(err.message).toContain(`127.0.0.1:${sim.port}`);
  });

  it('a port with nothing listening is REFUSED', async () => {
    const port = await freePort();
    const { err } = await expectCode('REFUSED', () =>
      connect({ url: `https://127.0.0.1:${port}/sdk`, trust: pinned(sim) }),
    );
    expect(err.message).toContain(`127.0.0.1`);
  });

  it('a certificate that does not match the pinned thumbprint is CERT_CHANGED, naming the presented one', async () => {
    const wrong = 'AB:'.repeat(31) + 'AB';
    const { err } = await expectCode('CERT_CHANGED', () =>
      connect({ url: sim.url, trust: { kind: 'thumbprint', sha256: wrong } }),
    );
    expect(err.message).toContain(sim.thumbprintSha256);
    expect(err.message).toContain(wrong);
  });

  it('a pinned thumbprint in another spelling (lowercase, no colons) still matches', async () => {
    await connect({
      url: sim.url,
      trust: { kind: 'thumbprint', sha256: sim.thumbprintSha256.replace(/:/g, '').toLowerCase() },
    });
  });

  it('CA mode without the issuing CA is TLS_UNTRUSTED', async () => {
    const { err } = await expectCode('TLS_UNTRUSTED', () => connect({ url: sim.url, trust: { kind: 'ca' } }));
    expect(err.message).toMatch(/not trusted/);
    expect(err.message).toMatch(/thumbprint|ca-file/);
  });

  it("CA mode trusting the simulator's own self-signed certificate works (it is issued for 127.0.0.1)", async () => {
    await connect({ url: sim.url, trust: { kind: 'ca', extraCaPem: sim.certificatePem } });
  });

  it('CA mode also accepts the simulator by `localhost`, the other name its certificate carries', async () => {
    const url = new URL(sim.url);
    url.hostname = 'localhost';
    await connect({ url: url.toString(), trust: { kind: 'ca', extraCaPem: sim.certificatePem } });
  });

  it('CA mode with the right CA but a host name the certificate does not carry is TLS_UNTRUSTED, saying so', async () => {
    // The proxy's certificate names only IP 127.0.0.1; reach it as `localhost`.
    const proxy = await startPagingProxy(sim);
    try {
      const { err } = await expectCode('TLS_UNTRUSTED', () =>
        connect({
          url: `https://localhost:${proxy.port}/sdk`,
          trust: { kind: 'ca', extraCaPem: proxy.certificatePem },
        }),
      );
      expect(err.message).toMatch(/localhost/);
      expect(err.message).toMatch(/Host: localhost\. is not (in the )?cert/);
    } finally {
      await proxy.close();
    }
  });

  it('a call that gets no answer within callTimeoutMs is TIMEOUT, promptly', async () => {
    const { err, ms } = await expectCode('TIMEOUT', () =>
      connect({ url: slow.url, trust: pinned(slow), callTimeoutMs: 1000 }),
    );
    expect(ms).toBeLessThan(2500);
    expect(err.message).toContain('RetrieveServiceContent');
  });

  it('an abort mid-call is CANCELLED, promptly', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const { ms } = await expectCode('CANCELLED', () =>
      collectInventory({
        url: slow.url,
        user: USER,
        password: PASSWORD,
        trust: pinned(slow),
        signal: ac.signal,
      }),
    );
    expect(ms).toBeLessThan(1000);
  });

  it('an already aborted signal is CANCELLED without connecting', async () => {
    const ac = new AbortController();
    ac.abort();
    const { ms } = await expectCode('CANCELLED', () =>
      connect({ url: slow.url, trust: pinned(slow), signal: ac.signal }),
    );
    expect(ms).toBeLessThan(200);
  });

  it('a host name that does not resolve is DNS', async () => {
    const { err } = await expectCode('DNS', () =>
      connect({ url: 'https://does-not-exist.invalid/sdk', trust: pinned(sim), connectTimeoutMs: 5000 }),
    );
    expect(err.message).toContain('does-not-exist.invalid');
  });

  it('no error message (or cause) ever contains a password', () => {
    expect(messages.length).toBeGreaterThanOrEqual(8);
    for (const m of messages) for (const s of SECRETS) expect(m).not.toContain(s);
  });
});
