import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.js';

describe('FairQueue', () => {
  it('runs jobs in arrival order and hands back values and errors', async () => {
    const q = new FairQueue();
    const order: number[] = [];
    const results = await Promise.allSettled([
      q.run(() => (order.push(1), 'a')),
      q.run(() => {
        order.push(2);
        throw new Error('boom');
      }),
      q.run(() => (order.push(3), 'c')),
    ]);
    expect(order).toEqual([1, 2, 3]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'a' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: 'boom' } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'c' });
    expect(q.waiting).toBe(0);
  });

  it('lets the event loop turn once a slice is used up', async () => {
    // A zero-length slice: one job per turn, so a callback queued by the first job runs before
    // the second job.
    const q = new FairQueue(0);
    const order: string[] = [];
    await Promise.all([
      q.run(() => {
        order.push('job 1');
        setImmediate(() => order.push('other work'));
      }),
      q.run(() => order.push('job 2')),
    ]);
    expect(order).toEqual(['job 1', 'other work', 'job 2']);
  });

  it('runs a whole batch in one turn while the slice lasts', async () => {
    const q = new FairQueue(60_000);
    const order: string[] = [];
    await Promise.all([
      q.run(() => {
        order.push('job 1');
        setImmediate(() => order.push('other work'));
      }),
      q.run(() => order.push('job 2')),
    ]);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['job 1', 'job 2', 'other work']);
  });
});

/**
 * The reason for the queue, with a real listener: 40 busy keep-alive clients whose every request
 * costs 3 ms of synchronous work, and 30 clients connecting meanwhile.
 * libuv accepts one connection per event-loop turn; what counts is how many answers the busy
 * clients get before every newcomer has had its first one (a count, not a time).
 */
describe('busy clients and newcomers over HTTP', () => {
  const BUSY = 40;
  const NEWCOMERS = 30;
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  const busy = (ms: number): void => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      /* a page build */
    }
  };

  async function answersBeforeNewcomers(queue: FairQueue | undefined): Promise<number> {
    server = http.createServer((_req, res) => {
      const send = (): void => {
        res.end('ok');
      };
      if (queue) void queue.run(() => busy(3)).then(send);
      else {
        busy(3);
        send();
      }
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const get = (agent: http.Agent): Promise<void> =>
      new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          })
          .on('error', reject);
      });
    const busyAgent = new http.Agent({ keepAlive: true, maxSockets: BUSY });
    let busyAnswers = 0;
    let stop = false;
    // BUSY busy clients, connected and warmed up first.
    await Promise.all(Array.from({ length: BUSY }, () => get(busyAgent)));
    const loops = Array.from({ length: BUSY }, async () => {
      while (!stop) {
        await get(busyAgent);
        busyAnswers++;
      }
    });
    await new Promise((r) => setTimeout(r, 50));
    const before = busyAnswers;
    // NEWCOMERS newcomers, each on its own connection.
    const fresh = new http.Agent({ keepAlive: false, maxSockets: NEWCOMERS });
    await Promise.all(Array.from({ length: NEWCOMERS }, () => get(fresh)));
    const during = busyAnswers - before;
    stop = true;
    await Promise.all(loops);
    busyAgent.destroy();
    fresh.destroy();
    return during;
  }

  it('newcomers are answered after a few turns, not after every busy client had many', async () => {
    const withQueue = await answersBeforeNewcomers(new FairQueue());
    const without = await answersBeforeNewcomers(undefined);
    // With the queue a turn answers about one 3 ms request and takes in one newcomer: ~90
    // answers here. Without it every turn answers all 40 busy clients: ~640.
    expect(withQueue).toBeLessThan(300);
    expect(without).toBeGreaterThan(withQueue * 3);
  });
});
