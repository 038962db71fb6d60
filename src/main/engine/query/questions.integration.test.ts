/**
 * Questions judged by their rows: two seeded simulators are synced with the engine and read
 * independently with pyvmomi; every question's answer (rows, count, value, groups, find hits) is
 * compared with what the pyvmomi reading says it should be. A third vCenter at a closed port fails
 * its sync, so every answer's freshness must name it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startQuestionEstate,
  judgeCase,
  type Case,
  type QuestionEstate,
} from '../../../testing/question-estate.js';
import { olderThan, toolsOld } from '../../../testing/question-judge.js';
import type { Answer } from '../../../shared/query.js';
import { CASES, CHAINS, SEEDS, TABLE_SIMS } from '../../../testing/question-table.js';

// ---------------------------------------------------------------------------------------------

let estate: QuestionEstate;
let totalQuestions = 0;

beforeAll(async () => {
  estate = await startQuestionEstate(TABLE_SIMS, { downVcenter: true });
}, 60_000);

afterAll(async () => {
  await estate?.close();
});

function judge(c: Case, conversationId?: string): Answer {
  totalQuestions++;
  return judgeCase(estate.qe, estate.ref, c, {
    failedVcenters: ['vc-down'],
    ...(conversationId ? { conversationId } : {}),
  });
}

describe('questions against synced simulators, judged by pyvmomi', () => {
  it('the reference has what the table relies on', () => {
    expect(estate.ref.vms.length).toBe(280);
    expect(estate.ref.clusters.map((c) => c.name).sort()).toEqual([
      'ams-Mgmt',
      'ams-Prod-A',
      'ams-Prod-B',
      'fra-Backup',
      'fra-Prod-A',
    ]);
    for (const name of ['ams-app-prd-001', 'fra-app-prd-101'])
      expect(estate.ref.vms.some((v) => v.name === name)).toBe(true);
    expect(estate.ref.vms.find((v) => v.name === 'ams-app-prd-001')?.ipAddress).toBe('10.62.0.8');
    // Every predicate family has something to find, so empty answers cannot pass by accident.
    expect(estate.ref.vms.filter(olderThan(30)).length).toBeGreaterThan(0);
    expect(estate.ref.hosts.filter((h) => h.inMaintenanceMode).length).toBeGreaterThan(0);
    expect(estate.ref.hosts.filter((h) => h.connectionState === 'disconnected').length).toBeGreaterThan(0);
    expect(estate.ref.vms.filter(toolsOld).length).toBeGreaterThan(0);
    expect(estate.ref.ds.filter((d) => d.freePercent < 10).length).toBeGreaterThan(0);
    expect(estate.ref.clusters.filter((c) => !c.haEnabled).length).toBeGreaterThan(0);
  });

  it.each(SEEDS.map((c) => [c[0], c] as const))('seed: %s', (_q, c) => {
    judge(c);
  });

  it.each(CASES.map((c) => [c[0], c] as const))('%s', (_q, c) => {
    judge(c);
  });

  it.each(CHAINS.map((chain) => [chain.map((c) => c[0]).join(' → '), chain] as const))(
    'follow-ups: %s',
    (_q, chain) => {
      let conversationId: string | undefined;
      for (const c of chain) conversationId = judge(c, conversationId).conversationId;
    },
  );

  it('a part of a name that fits several asks which one was meant', () => {
    const a = estate.qe.ask({ question: 'vms in cluster prod-a' });
    expect(a.kind).toBe('clarify');
    expect(a.suggestions).toEqual(['ams-Prod-A', 'fra-Prod-A']);
  });

  it('an answer that read no data carries no incompleteness note; suggestions work and never repeat the question', () => {
    const lost = estate.qe.ask({ question: 'florble the wuggets' });
    expect(lost.kind).toBe('not_understood');
    expect(lost.freshness.failedVcenters).toEqual([]);
    expect(lost.suggestions?.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    const queue = [...(lost.suggestions ?? [])];
    while (queue.length > 0 && seen.size < 12) {
      const q = queue.shift()!;
      if (seen.has(q)) continue;
      seen.add(q);
      const a = estate.qe.ask({ question: q });
      expect(['not_understood', 'clarify'], `${q} → ${a.kind}: ${a.message ?? ''}`).not.toContain(a.kind);
      expect(a.suggestions ?? []).not.toContain(q);
    }
    // Every example names objects of this inventory, so each one is answered.
    const mock = estate.qe.ask({ question: 'vms in cluster Prod-A with more than 8 cpus please frobnicate' });
    for (const q of mock.suggestions ?? []) expect(q).not.toMatch(/cluster Prod-A\b/);
  });

  it('covers the required number of questions', () => {
    expect(CASES.length + CHAINS.flat().length).toBeGreaterThanOrEqual(150);
    expect(totalQuestions).toBeGreaterThanOrEqual(SEEDS.length + 150);
  });
});
