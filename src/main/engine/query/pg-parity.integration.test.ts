/**
 * The same answers, row for row, on both back ends (issue 18): the question suites' estates are
 * synced from simulators into SQLite as their own tests do, copied into a real PostgreSQL with
 * `vminer db copy`'s engine, and every question of the suites is asked of a QueryService on each.
 * The answers must be equal in everything but the conversation id: kind, rows (order, values),
 * totals, values, groups, interpretation, messages, suggestions and freshness.
 *
 * The questions are the suites' own: the table of questions.integration.test.ts
 * (testing/question-table.ts), and the categories the held-out suites hand to
 * `defineQuestionSuite`, collected here by a stand-in for it (the suites' files are imported
 * for their questions only; their judging runs in their own files).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Answer } from '../../../shared/query.js';
import type { Case, QuestionEstate } from '../../../testing/question-estate.js';
import { startQuestionEstate } from '../../../testing/question-estate.js';
import { CASES, CHAINS, SEEDS, TABLE_SIMS } from '../../../testing/question-table.js';
import { TRUST_SIMS } from '../../../testing/question-suite.js';
import {
  findPostgresBin,
  startPostgres,
  type RunningPostgres,
  connectAdmin,
  teamCopyOf,
} from '../../../testing/postgres.js';
import { objectDetails, objectDetailsAsync } from './details.js';
import { PgQueryBackend } from './pg-backend.js';
import { QueryService } from './query-service.js';

const suites = vi.hoisted(() => [] as { title: string; categories: Record<string, Case[]> }[]);
vi.mock('../../../testing/question-suite.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../testing/question-suite.js')>()),
  defineQuestionSuite: (title: string, categories: Record<string, Case[]>) => {
    suites.push({ title, categories });
  },
}));
await import('./questions-trust.integration.test.js');
await import('./questions-concepts.integration.test.js');
await import('./questions-depth.integration.test.js');

const PW = 'Parity-Pw-1';
const NO_PG = findPostgresBin() ? '' : ' (SKIPPED: PostgreSQL binaries missing; apt-get install postgresql)';

let server: RunningPostgres;
let admin: pg.Client;
let databases = 0;
const mismatches: { question: string; differences: string[] }[] = [];
let asked = 0;
/** Answers by kind (rows, count, value, groups, find, not_understood …), as SQLite gave them. */
const kinds: Record<string, number> = {};

/** Where two values differ, as `path: sqlite ≠ pg` lines (at most 8). */
function differences(a: unknown, b: unknown, at = '', out: string[] = []): string[] {
  if (out.length >= 8) return out;
  if (Object.is(a, b)) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${at}.length: ${a.length} ≠ ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${at}[${i}]`, out);
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join() !== kb.join()) out.push(`${at} keys: ${ka.join(',')} ≠ ${kb.join(',')}`);
    for (const k of ka)
      if (kb.includes(k))
        differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`, out);
    return out;
  }
  out.push(`${at}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  return out;
}

const withoutId = (a: Answer): Omit<Answer, 'conversationId'> => {
  const { conversationId: _id, ...rest } = a;
  return rest;
};

interface Sides {
  estate: QuestionEstate;
  pg: QueryService;
  backend: PgQueryBackend;
}

/** The estate's cache copied into a fresh 'C' database, and a QueryService on it. */
async function onPostgres(estate: QuestionEstate): Promise<Sides> {
  const name = `parity${++databases}`;
  const target = await teamCopyOf(server, name, estate.engine.database.sqlite.name);
  const backend = PgQueryBackend.connect(target);
  const service = new QueryService({ postgres: backend, pageSize: 100_000, now: () => estate.now });
  return { estate, pg: service, backend };
}

/** Asks a chain of questions (one conversation per back end) and compares each answer. */
async function compare(sides: Sides, chain: string[]): Promise<void> {
  let sqliteConversation: string | undefined;
  let pgConversation: string | undefined;
  for (const question of chain) {
    asked++;
    const a = sides.estate.qe.ask({
      question,
      ...(sqliteConversation ? { conversationId: sqliteConversation } : {}),
    });
    const b = await sides.pg.askAsync({
      question,
      ...(pgConversation ? { conversationId: pgConversation } : {}),
    });
    kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
    sqliteConversation = a.conversationId;
    pgConversation = b.conversationId;
    const diff = differences(withoutId(a), withoutId(b));
    if (diff.length > 0) mismatches.push({ question, differences: diff });
    expect(diff, `${JSON.stringify(question)} (${a.kind}: ${a.interpretation})`).toEqual([]);
  }
}

/** The row drawer of every VM and host: the same disks, NICs, partitions, snapshots, tags, attributes. */
async function compareDetails(sides: Sides): Promise<number> {
  const sqlite = sides.estate.engine.database.sqlite;
  let compared = 0;
  for (const entity of ['vms', 'hosts'] as const) {
    const keys = sqlite.prepare(`SELECT vcenter_id AS vcenterId, moid FROM ${entity}`).all() as {
      vcenterId: number;
      moid: string;
    }[];
    for (const k of keys) {
      const req = { entity, ...k };
      const a = objectDetails(sqlite, req);
      const b = await objectDetailsAsync(sides.backend, req);
      expect(differences(a, b), `${entity} ${k.vcenterId}/${k.moid}`).toEqual([]);
      compared++;
    }
  }
  return compared;
}

describe.skipIf(NO_PG !== '')(
  `the same answers on SQLite and PostgreSQL${NO_PG}`,
  { timeout: 180_000 },
  () => {
    beforeAll(async () => {
      server = await startPostgres(PW);
      admin = await connectAdmin(server);
    }, 120_000);

    afterAll(async () => {
      const lines = mismatches.map(
        (m) => `- ${JSON.stringify(m.question)}\n    ${m.differences.join('\n    ')}`,
      );
      process.stdout.write(
        `\nSQLite/PostgreSQL parity: ${asked} questions asked (${JSON.stringify(kinds)}), ${mismatches.length} answers differ\n${lines.join('\n')}\n`,
      );
      await admin?.end();
      await server?.stop();
    });

    describe('the question table (questions.integration.test.ts)', () => {
      let sides: Sides;
      beforeAll(async () => {
        const estate = await startQuestionEstate(TABLE_SIMS, { downVcenter: true, prefix: 'vminer-parity-' });
        sides = await onPostgres(estate);
      }, 180_000);
      afterAll(async () => {
        await sides?.backend.close();
        await sides?.estate.close();
      });

      it('object details of every VM and host', async () => {
        expect(await compareDetails(sides)).toBeGreaterThan(250);
      });

      it.each([...SEEDS, ...CASES].map((c) => [c[0]] as const))('%s', async (q) => {
        await compare(sides, [q]);
      });
      it.each(CHAINS.map((chain) => [chain.map((c) => c[0]).join(' → '), chain] as const))(
        'follow-ups: %s',
        async (_name, chain) => {
          await compare(
            sides,
            chain.map((c) => c[0]),
          );
        },
      );
    });

    describe('the held-out suites (questions-trust, -concepts, -depth)', () => {
      let sides: Sides;
      beforeAll(async () => {
        const estate = await startQuestionEstate(TRUST_SIMS, { prefix: 'vminer-parity-' });
        sides = await onPostgres(estate);
      }, 180_000);
      afterAll(async () => {
        await sides?.backend.close();
        await sides?.estate.close();
      });

      it('object details of every VM and host (tags, attributes, disks, NICs, partitions)', async () => {
        expect(await compareDetails(sides)).toBeGreaterThan(450);
      });

      it('collected every suite', () => {
        expect(suites.map((s) => s.title.split(' ')[0])).toEqual(['held-out', 'held-out', 'RVTools-depth']);
      });
      const questions = suites.flatMap((s) =>
        Object.entries(s.categories).flatMap(([cat, cases]) =>
          cases.map((c) => [`${cat}: ${c[0]}`, c[0]] as const),
        ),
      );
      it.each(questions)('%s', async (_name, q) => {
        await compare(sides, [q]);
      });

      it('compared answers that read data, not only refusals', () => {
        // Most questions of the suites are answered with rows, counts, values or groups.
        const answered =
          (kinds['rows'] ?? 0) + (kinds['count'] ?? 0) + (kinds['value'] ?? 0) + (kinds['groups'] ?? 0);
        expect(answered).toBeGreaterThan(asked / 2);
        expect(kinds['find'] ?? 0).toBeGreaterThan(0);
      });
    });
  },
);
