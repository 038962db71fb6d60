/**
 * An estate for question tests: seeded simulators synced by a real Engine into a temp data
 * folder, the same simulators read independently with pyvmomi, and a QueryService over the cache.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { Engine } from '../main/engine/engine.js';
import { placedBy, QueryService } from '../main/engine/query/query-service.js';
import type { Answer } from '../shared/query.js';
import { startSimulators, stopAll, type SimulatorOptions } from './vcsim.js';
import { readWithPyvmomi } from './pyvmomi.js';
import { buildRef, setReferenceNow, type Check, type Ref } from './question-judge.js';

export interface QuestionEstate {
  engine: Engine;
  qe: QueryService;
  ref: Ref;
  /** The clock the QueryService answers with (relative dates are judged against it). */
  now: Date;
  close(): Promise<void>;
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

/**
 * Starts the simulators (`vc-0`, `vc-1`, …), syncs them, reads them with pyvmomi. With
 * `downVcenter`, a `vc-down` at a closed port fails its sync, so freshness must name it.
 */
export async function startQuestionEstate(
  sims: SimulatorOptions[],
  opts: { downVcenter?: boolean; prefix?: string } = {},
): Promise<QuestionEstate> {
  const started = await startSimulators(sims.length, (i) => sims[i]!);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'vminer-questions-'));
  const engine = await Engine.open({
    dataDir,
    owner: 'test',
    vaultBackend: 'file',
    onWarning: () => undefined,
  });
  for (const [i, s] of started.entries()) {
    const vc = engine.vcenters.add({
      name: `vc-${i}`,
      url: s.url,
      username: 'reader',
      thumbprint: s.thumbprintSha256,
      caPem: null,
    });
    await engine.setPassword(vc.id, 'secret');
  }
  if (opts.downVcenter) {
    const down = engine.vcenters.add({
      name: 'vc-down',
      url: `https://127.0.0.1:${await closedPort()}/sdk`,
      username: 'reader',
      thumbprint: null,
      caPem: null,
    });
    await engine.setPassword(down.id, 'secret');
  }
  const [summary, ...readings] = await Promise.all([
    engine.sync.sync(),
    ...started.map((s) => readWithPyvmomi(s.url, 'reader', 'secret')),
  ]);
  expect(summary.results.map((r) => [r.vcenter, r.status])).toEqual([
    ...started.map((_, i) => [`vc-${i}`, 'ok']),
    ...(opts.downVcenter ? [['vc-down', 'failed']] : []),
  ]);
  const now = new Date();
  setReferenceNow(now.getTime());
  const qe = new QueryService({ sqlite: engine.database.sqlite, pageSize: 100_000, now: () => now });
  return {
    engine,
    qe,
    ref: buildRef(readings),
    now,
    close: async () => {
      engine.close();
      await stopAll();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** [question, expectation, the corrected question the answer must show (else: none)]. */
export type Case = [question: string, check: Check, corrected?: string];

/** Asks one question and judges it; the error names the question and what it was understood as. */
export function judgeCase(
  qe: QueryService,
  ref: Ref,
  c: Case,
  opts: { conversationId?: string; failedVcenters?: string[] } = {},
): Answer {
  const [question, check, corrected] = c;
  const a = qe.ask({ question, ...(opts.conversationId ? { conversationId: opts.conversationId } : {}) });
  try {
    check(a, ref);
    expect(a.correctedQuestion).toBe(corrected);
    // Freshness on every answer: as of the last good sync, naming the vCenter that failed
    // (unless the question is about one vCenter only).
    // An answer that read no data (refused, not understood, a question back) involves no vCenter;
    // one about named places involves only the vCenters that hold them (issue 19).
    const noData = ['refused', 'not_understood', 'clarify'].includes(a.kind);
    if (!noData) expect(a.freshness.asOf).toBeTruthy();
    const placed = noData || a.kind === 'find' || placedBy(a.plan?.filter);
    if (opts.failedVcenters && !/\bvc-\d\b/.test(question))
      expect(a.freshness.failedVcenters).toEqual(placed ? [] : opts.failedVcenters);
  } catch (err) {
    const e = err as Error;
    e.message = `${JSON.stringify(question)} → ${a.kind}: ${a.interpretation}${a.message ? ` (${a.message})` : ''}\n${e.message}`;
    throw e;
  }
  return a;
}
