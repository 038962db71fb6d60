/**
 * The held-out question suites (issue 14): categories of questions written the way ops engineers
 * type them, judged against pyvmomi on three diversified simulators. Each file defines its
 * categories; this module starts the estate once per file, runs every case as its own test, and
 * prints a coverage table (category × passed) when the file ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../shared/query.js';
import type { SimulatorOptions } from './vcsim.js';
import { judgeCase, startQuestionEstate, type Case, type QuestionEstate } from './question-estate.js';
import { DAY, refNow, sorted, type Check, type Ref } from './question-judge.js';

/**
 * Three diversified vCenters: prefixed names (lon-…, par-…) and one without a prefix (Prod-A,
 * web-prd-007, esxNN.sin.lab), one datacenter or two, NFS only or VMFS and NFS, a maintenance
 * and a disconnected host in each.
 */
export const TRUST_SIMS: SimulatorOptions[] = [
  { seed: 41, vms: 170, clusters: 3, hostsPerCluster: 3, datastores: 4, portgroups: 3, namePrefix: 'lon' },
  {
    seed: 42,
    vms: 150,
    datacenters: 2,
    clusters: 2,
    hostsPerCluster: 3,
    datastores: 3,
    portgroups: 2,
    namePrefix: 'par',
  },
  { seed: 48, vms: 130, clusters: 3, hostsPerCluster: 3, datastores: 5, portgroups: 4 },
];

export interface Tally {
  passed: number;
  failed: number;
  /** Failures that answered with rows/a count/a value where a refusal or a question was due. */
  broadened: number;
}

/** Runs each category's cases against one shared estate and prints category × pass rate. */
export function defineQuestionSuite(
  title: string,
  categories: Record<string, Case[]>,
  checkRef: (ref: Ref) => void = () => undefined,
): void {
  let estate: QuestionEstate;
  const tally: Record<string, Tally> = {};
  beforeAll(async () => {
    estate = await startQuestionEstate(TRUST_SIMS, { prefix: 'vminer-trust-' });
  }, 90_000);
  afterAll(async () => {
    const lines = Object.entries(tally).map(
      ([cat, t]) =>
        `| ${cat} | ${t.passed + t.failed} | ${t.passed} | ${(((t.passed / (t.passed + t.failed)) * 100) | 0).toString()} % |${t.broadened ? ` ${t.broadened} broadened` : ''}`,
    );
    const all = Object.values(tally).reduce((s, t) => ({ p: s.p + t.passed, n: s.n + t.passed + t.failed }), {
      p: 0,
      n: 0,
    });
    process.stdout.write(
      `\n${title}: ${all.p}/${all.n} passed\n| category | questions | passed | rate |\n|---|---|---|---|\n${lines.join('\n')}\n`,
    );
    await estate?.close();
  });

  describe(title, () => {
    it('the reference has what the questions rely on', () => {
      expect(estate.ref.vms.length).toBe(450);
      checkRef(estate.ref);
    });
    for (const [cat, cases] of Object.entries(categories)) {
      tally[cat] = { passed: 0, failed: 0, broadened: 0 };
      it.each(cases.map((c) => [c[0], c] as const))(`${cat}: %s`, (_q, c) => {
        try {
          judgeCase(estate.qe, estate.ref, c);
          tally[cat]!.passed++;
        } catch (err) {
          tally[cat]!.failed++;
          const got: Answer = estate.qe.ask({ question: c[0] });
          if (TRAPS.has(c[1]) && ['rows', 'count', 'value', 'groups'].includes(got.kind))
            tally[cat]!.broadened++;
          throw err;
        }
      });
    }
  });
}

// Checks that expect a refusal: a failure that answered instead counts as broadened.
const TRAPS = new WeakSet<Check>();

/**
 * A trap: the question must be refused ("not understood" with suggestions) or asked about
 * ("did you mean …"), never answered with a broader result; `understood: false` with the words
 * it did not know.
 */
export function refused(...unknown: string[]): Check {
  const check: Check = (a) => {
    expect(['not_understood', 'clarify'], a.message).toContain(a.kind);
    expect(a.rows).toEqual([]);
    expect(a.understood).toBe(false);
    expect(a.message).toBeTruthy();
    expect(a.suggestions?.length ?? 0).toBeGreaterThan(0);
    for (const w of unknown) {
      expect((a.unknownWords ?? []).map((x) => x.toLowerCase())).toContain(w);
      expect(a.message?.toLowerCase()).toContain(w);
    }
  };
  TRAPS.add(check);
  return check;
}

/** Understood but not answerable from the cache (e.g. a field it does not hold): said so, no rows. */
export function cannot(reason: RegExp): Check {
  const check: Check = (a) => {
    expect(a.kind, a.message).toBe('not_understood');
    expect(a.rows).toEqual([]);
    expect(a.understood).toBe(false);
    expect(a.message).toMatch(reason);
  };
  TRAPS.add(check);
  return check;
}

/** A question back: which of these did you mean (the candidates, no rows). */
export function asked(...candidates: string[]): Check {
  const check: Check = (a) => {
    expect(a.kind, a.message).toBe('clarify');
    expect(a.rows).toEqual([]);
    expect(a.understood).toBe(false);
    expect(sorted(a.suggestions ?? [])).toEqual(sorted(candidates));
    for (const c of candidates) expect(a.message).toContain(c);
  };
  TRAPS.add(check);
  return check;
}

// ---------------------------------------------------------------------------------------------
// Calendar helpers for relative dates, in the local time zone (as the engine reads them).

export const startOfDay = (ms: number): number => {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
};
/** Monday 00:00 of this week. */
export const startOfWeek = (ms: number): number => {
  const d = new Date(startOfDay(ms));
  const back = (d.getDay() + 6) % 7;
  d.setDate(d.getDate() - back);
  return d.getTime();
};
export const startOfMonth = (ms: number, monthsBack = 0): number => {
  const d = new Date(startOfDay(ms));
  d.setDate(1);
  d.setMonth(d.getMonth() - monthsBack);
  return d.getTime();
};
/** The most recent `month`/`day` (1-based month) at 00:00 that is not in the future. */
export const lastDate = (month: number, day: number): number => {
  const now = refNow();
  const d = new Date(new Date(now).getFullYear(), month - 1, day);
  if (d.getTime() > now) d.setFullYear(d.getFullYear() - 1);
  return d.getTime();
};
export const daysAgo = (n: number): number => refNow() - n * DAY;
