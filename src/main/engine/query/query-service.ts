import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import Fuse from 'fuse.js';
import { DEFAULT_COLUMNS, fieldDef, type QueryEntity } from '../../../shared/fields.js';
import { VminerError } from '../../../shared/errors.js';
import type { Answer, AskRequest, Filter, Freshness, QueryPlan } from '../../../shared/query.js';
import type { ParsedQuestion } from './atoms.js';
import { MemoryConversations, type ConversationStore } from './conversation.js';
import { describePlan } from '../../../shared/describe.js';
import { EXAMPLE_QUESTIONS } from './examples.js';
import { NameIndex } from './names.js';
import { NAME_SLOT_WORDS, parseQuestion } from './parser.js';
import { aggregateQuery, countQuery, groupQuery, preferOrder, rowByKeyQuery, rowsQuery } from './planner.js';
import { buildPlan, entityLabel, fieldForWord, ResolveProblem, type ResolveContext } from './resolve.js';
import { fieldsOf, inferEntity, looksLikeFollowUp, refinePlan, type FollowUpHints } from './follow-up.js';
import { searchInventory } from './search.js';
import { recogniseChangeQuestion } from './recognize-changes.js';
import { DOMAIN_TERMS } from './lexicon.js';
import { normalizeTokens } from './normalize.js';
import { closestKeywords, correctTokens, withCorrections } from './spelling.js';
import { tokenize } from './tokenize.js';
import type { Db } from '../db/database.js';
import { SqliteNames } from './name-source.js';
import { first, readAsync, readSync, type Reading, type Row } from './reading.js';
import { likeOp, nocaseCompare, SqlParams, type Dialect, type SqlQuery } from './sql-dialect.js';
import type { PgQueryBackend } from './pg-backend.js';

/** The back end a QueryService reads: the SQLite cache, or a team server's PostgreSQL. */
type Backend =
  { sqlite: Database.Database; postgres?: undefined } | { postgres: PgQueryBackend; sqlite?: undefined };

export type QueryServiceOptions = Backend & {
  /** Accepted for symmetry with the other repositories; the engine runs raw parametrised SQL. */
  db?: Db;
  conversations?: ConversationStore;
  now?: () => Date;
  /** Rows returned with a list answer (the first page). */
  pageSize?: number;
  /** A vCenter whose last good sync is older than this counts as stale. */
  staleAfterMs?: number;
};

export interface ParseOutcome {
  parsed: ParsedQuestion;
  correctedQuestion: string | undefined;
  plan: QueryPlan | undefined;
  corrections: string[];
  problem: ResolveProblem | undefined;
}

const sameQuestion = (a: string, b: string): boolean =>
  a.toLowerCase().replace(/\s+/g, ' ').trim() === b.toLowerCase().replace(/\s+/g, ' ').trim();

function vcenterNamesIn(f: Filter | undefined, out: string[] = []): string[] {
  if (!f) return out;
  if (f.kind === 'and') f.filters.forEach((x) => vcenterNamesIn(x, out));
  else if (f.kind === 'text' && f.field === 'vcenter' && f.op === 'equals') out.push(f.value);
  return out;
}

/** Quoted for a message: "lots", "lots" and "big". */
function quoteList(words: string[]): string {
  const q = words.map((w) => `"${w}"`);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} and ${q.at(-1)!}`;
}

/** Fields that place an object somewhere: an answer filtered by one involves only some vCenters. */
const PLACE_FIELDS = new Set(['cluster', 'host', 'datacenter', 'datastores', 'networks', 'vm', 'name']);

/** The table whose objects a place field names. */
const PLACE_TABLE: Record<string, string> = {
  cluster: 'clusters',
  host: 'hosts',
  datacenter: 'datacenters',
  datastores: 'datastores',
  networks: 'networks',
  vm: 'vms',
};

export function placedBy(f: Filter | undefined): boolean {
  if (!f) return false;
  if (f.kind === 'and') return f.filters.some(placedBy);
  return f.kind === 'text' && (f.op === 'equals' || f.op === 'glob') && PLACE_FIELDS.has(f.field);
}

/** What running a plan gives: rows (first page + total), a count, grouped values or one value. */
export type PlanResult = Pick<Answer, 'kind' | 'columns' | 'rows' | 'total' | 'value'>;

/**
 * Answers plain-English questions from the cache: tokenize → correct spelling → parse → plan →
 * parametrised SQL. The plan is what the answer shows, what follow-ups change and what exports take.
 */
export class QueryService {
  readonly names: NameIndex;
  /** The SQL the planner writes for this service's back end. */
  readonly dialect: Dialect;
  private readonly conversations: ConversationStore;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly opts: QueryServiceOptions) {
    this.dialect = opts.postgres !== undefined ? 'pg' : 'sqlite';
    this.names = new NameIndex(
      opts.postgres !== undefined ? opts.postgres.names : new SqliteNames(opts.sqlite),
    );
    this.conversations = opts.conversations ?? new MemoryConversations();
  }

  /** Drop cached vocabularies and totals after the inventory changed. */
  invalidate(): void {
    this.names.invalidate();
    this.opts.postgres?.names.invalidate();
    this.totals.clear();
  }

  private readonly totals = new Map<string, number>();

  /**
   * Runs a reading on the SQLite cache, synchronously. A service on PostgreSQL answers through
   * the `…Async` methods only.
   */
  private read<T>(steps: Reading<T>): T {
    const sqlite = this.opts.sqlite;
    if (!sqlite)
      throw new VminerError(
        'INTERNAL',
        'this query service reads PostgreSQL: call askAsync, executeAsync, countOfAsync or freshnessAsync',
      );
    return readSync(steps, (q) => this.stmt(sqlite, q).all(...q.params) as Row[]);
  }

  /**
   * Runs a reading on either back end (PostgreSQL: after its name snapshot is current, unless the
   * reading parses no question: a count or a freshness must not wait for, or pay, a reload of
   * every VM's name after each inventory change).
   */
  private async readAsync<T>(steps: Reading<T>, names: 'names' | 'no names' = 'names'): Promise<T> {
    const pg = this.opts.postgres;
    if (!pg) return this.read(steps);
    if (names === 'names') await pg.names.ready();
    return readAsync(steps, (q) => pg.all(q));
  }

  /**
   * How many rows a plan matches. Counting a broad filter scans most of a 100k-row table, so
   * totals are cached until the inventory changes (paging a list asks for the same total each page).
   */
  countOf(plan: QueryPlan): number {
    return this.read(this.counting(plan));
  }

  countOfAsync(plan: QueryPlan): Promise<number> {
    return this.readAsync(this.counting(plan), 'no names');
  }

  private *counting(plan: QueryPlan): Reading<number> {
    const q = countQuery(
      { entity: plan.entity, ...(plan.filter ? { filter: plan.filter } : {}) },
      this.dialect,
    );
    const key = `${q.sql}\u0000${JSON.stringify(q.params)}`;
    let n = this.totals.get(key);
    if (n === undefined) {
      n = ((yield* first(q)) as { n: number }).n;
      if (this.totals.size > 1000) this.totals.clear();
      this.totals.set(key, n);
    }
    return n;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private stmt(sqlite: Database.Database, q: SqlQuery): Database.Statement {
    let s = this.statements.get(q.sql);
    if (!s) {
      s = sqlite.prepare(q.sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(q.sql, s);
    }
    return s;
  }

  /** Parse and plan only (no SQL runs): for tests, benchmarks and the interpretation preview. */
  parse(question: string, conversationId?: string): ParseOutcome {
    const raw = tokenize(question);
    const first = raw[0]?.norm ?? '';
    const hints: FollowUpHints = {
      swap: first === 'and' || first === 'what' || (first === 'how' && /^how about/i.test(question.trim())),
      rows: ['show', 'list', 'display', 'give', 'get', 'which', 'sort', 'order'].includes(first),
    };
    const corrected = correctTokens(
      raw,
      (w) => this.names.isName(w),
      (i) =>
        raw[i]!.kind === 'quoted' ||
        NAME_SLOT_WORDS.has(raw[i - 1]?.norm ?? '') ||
        // A custom attribute's name and the value after it ("owner alice", "cost-center web").
        this.names.attribute(raw[i]!.norm) !== undefined ||
        this.names.attribute(raw[i - 1]?.norm ?? '') !== undefined ||
        (raw[i - 2]?.norm === 'starting' && raw[i - 1]?.norm === 'with'),
    );
    const { changed } = corrected;
    const tokens = normalizeTokens(corrected.tokens, (w) => this.names.isName(w));
    const parsed = parseQuestion(tokens, this.names);
    // "What changed since yesterday", "which vms were powered off today": the change history.
    const history =
      parsed.kind === 'query' ? recogniseChangeQuestion(tokens, this.names, this.now()) : undefined;
    if (history) {
      parsed.unknown = history.unknown;
      return {
        parsed,
        correctedQuestion: changed ? withCorrections(question, raw, corrected.tokens) : undefined,
        plan: history.plan,
        corrections: [],
        problem: undefined,
      };
    }
    // A word after "in"/"on" that names nothing in the inventory is a word not understood.
    for (const a of parsed.atoms)
      if (
        a.t === 'rel' &&
        a.target === undefined &&
        !this.names.isName(a.value.toLowerCase()) &&
        !/[*?]/.test(a.value)
      ) {
        const fuzzy = this.names.guessTypes(a.value);
        if (fuzzy.length === 0) parsed.unknown.push(a.value);
      }
    const ctx: ResolveContext = { names: this.names, now: this.now(), corrections: [] };
    const out: ParseOutcome = {
      parsed,
      correctedQuestion: changed ? withCorrections(question, raw, corrected.tokens) : undefined,
      plan: undefined,
      corrections: ctx.corrections,
      problem: undefined,
    };
    if (parsed.kind === 'refused' || parsed.kind === 'find') return out;
    const prev = conversationId ? this.conversations.get(conversationId)?.plan : undefined;
    try {
      if (parsed.entity) out.plan = buildPlan(parsed.entity, parsed, ctx);
      else if (prev && (looksLikeFollowUp(parsed) || parsed.unknown.length === 0))
        out.plan = refinePlan(prev, parsed, ctx, hints);
      else if (parsed.groupWord && !parsed.entity) {
        // "average cpu per host": the entity is the one after "per".
        const e = this.entityFromWord(parsed.groupWord);
        const word = parsed.aggregateFieldWord;
        // "total vcpus per cluster": a VM field, added up per cluster; "average cpu per host": the hosts' own.
        const own = !word || fieldDef(e ?? 'vms', fieldForWord(e ?? 'vms', word) ?? '')?.type === 'number';
        if (
          e &&
          !own &&
          parsed.intent === 'aggregate' &&
          fieldDef('vms', fieldForWord('vms', word) ?? '')?.type === 'number'
        )
          out.plan = buildPlan('vms', parsed, ctx);
        else if (e) out.plan = buildPlan(e, { ...parsed, groupWord: undefined }, ctx);
      } else {
        const e = inferEntity(parsed);
        if (e && (parsed.atoms.length > 0 || parsed.sort)) out.plan = buildPlan(e, parsed, ctx);
      }
    } catch (err) {
      if (err instanceof ResolveProblem) out.problem = err;
      else if (err instanceof VminerError) out.problem = new ResolveProblem(err.message, 'not_applicable');
      else throw err;
    }
    return out;
  }

  private entityFromWord(w: string): QueryEntity | undefined {
    const map: Record<string, QueryEntity> = {
      host: 'hosts',
      hosts: 'hosts',
      vm: 'vms',
      vms: 'vms',
      cluster: 'clusters',
      clusters: 'clusters',
      datastore: 'datastores',
      datastores: 'datastores',
    };
    return Object.hasOwn(map, w) ? map[w] : undefined;
  }

  /** Answers a question from the SQLite cache (synchronously). */
  ask(req: AskRequest): Answer {
    return this.read(this.answering(req));
  }

  /** Answers a question on either back end. */
  askAsync(req: AskRequest): Promise<Answer> {
    return this.readAsync(this.answering(req));
  }

  private *answering(req: AskRequest): Reading<Answer> {
    const question = req.question.slice(0, 2000);
    const conversationId = req.conversationId ?? randomUUID();
    const outcome = this.parse(question, conversationId);
    const { parsed, correctedQuestion } = outcome;
    const base = { conversationId, question, ...(correctedQuestion ? { correctedQuestion } : {}) };
    const blank = { columns: [], rows: [], total: 0 };
    const notUnderstood = { understood: false as const };

    if (parsed.kind === 'refused') {
      return {
        ...base,
        ...blank,
        kind: 'refused',
        understood: true,
        interpretation: `a request to ${parsed.refusedVerb ?? 'change'} something`,
        message:
          'vMiner only reads inventory; it never changes anything in vCenter. Ask a question about the estate instead, e.g. "show powered off vms".',
        freshness: yield* this.freshnessOf(undefined, []),
      };
    }
    if (parsed.kind === 'find') return yield* this.find(base, parsed.findText ?? '');

    // A word it does not know is never dropped: the question is not answered, the words are named.
    if (parsed.unknown.length > 0) {
      const words = parsed.unknown;
      const domain = words.filter((w) => DOMAIN_TERMS.has(w.toLowerCase()));
      const understoodPart = outcome.plan ? describePlan(outcome.plan) : undefined;
      return {
        ...base,
        ...blank,
        ...notUnderstood,
        kind: 'not_understood',
        unknownWords: words,
        interpretation: `${understoodPart ? `${understoodPart} · ` : ''}not understood: ${words.join(' ')}`,
        message:
          `I don't know what ${quoteList(words)} means here, so I did not answer: leaving ${words.length === 1 ? 'it' : 'them'} out would answer a broader question than you asked.` +
          (domain.length
            ? ` (${quoteList(domain)} ${domain.length === 1 ? 'is a vSphere term' : 'are vSphere terms'} vMiner's cache does not hold.)`
            : '') +
          (understoodPart ? ` I understood: ${understoodPart}.` : '') +
          ' Did you mean one of these?',
        suggestions: yield* this.suggestFor(question, words),
        freshness: yield* this.freshnessOf(undefined, []),
      };
    }

    if (outcome.problem) {
      return {
        ...base,
        ...blank,
        ...notUnderstood,
        kind: outcome.problem.kind === 'clarify' ? 'clarify' : 'not_understood',
        unknownWords: [],
        interpretation: outcome.plan ? describePlan(outcome.plan) : 'not understood',
        message: outcome.problem.message,
        suggestions:
          outcome.problem.kind === 'clarify'
            ? outcome.problem.suggestions
            : [...outcome.problem.suggestions, ...(yield* this.suggest(question))].slice(0, 4),
        freshness: yield* this.freshnessOf(undefined, []),
      };
    }
    const plan =
      outcome.plan ??
      (parsed.kind === 'export' && conversationId ? this.conversations.get(conversationId)?.plan : undefined);
    if (!plan) {
      return {
        ...base,
        ...blank,
        ...notUnderstood,
        kind: 'not_understood',
        unknownWords: [],
        interpretation: 'not understood',
        message:
          parsed.kind === 'export'
            ? 'There is no previous answer to export in this conversation: ask a question first, or say what to export ("export powered off vms to excel").'
            : `I did not understand "${question}". Try one of these:`,
        suggestions: yield* this.suggest(question),
        freshness: yield* this.freshnessOf(undefined, []),
      };
    }
    this.conversations.set(conversationId, { plan, updatedAt: Date.now() });
    const notes: string[] = [];
    if (outcome.corrections.length) notes.push(`names matched: ${outcome.corrections.join(', ')}`);
    const interpretation = describePlan(plan) + (notes.length ? ` (${notes.join('; ')})` : '');
    const freshness = yield* this.freshnessOf(plan);
    const result = yield* this.executing(plan);
    if (parsed.kind === 'export') {
      return {
        ...base,
        ...result,
        kind: 'export',
        understood: true,
        plan,
        interpretation,
        message: `Ready to export ${result.total} ${entityLabel(plan.entity)}${parsed.exportFormat ? ` as ${parsed.exportFormat.toUpperCase()}` : ''}.`,
        freshness,
      };
    }
    return { ...base, ...result, understood: true, plan, interpretation, freshness };
  }

  /** Runs a plan: rows (first page + total), a count, grouped values or one aggregate value. */
  execute(plan: QueryPlan, page: { limit?: number; offset?: number } = {}): PlanResult {
    return this.read(this.executing(plan, page));
  }

  executeAsync(plan: QueryPlan, page: { limit?: number; offset?: number } = {}): Promise<PlanResult> {
    return this.readAsync(this.executing(plan, page));
  }

  private *executing(plan: QueryPlan, page: { limit?: number; offset?: number } = {}): Reading<PlanResult> {
    const d = this.dialect;
    if (plan.groupBy) {
      const rows = (yield groupQuery(plan, undefined, d)) as {
        key: unknown;
        value: number;
      }[];
      return {
        kind: 'groups',
        columns: [plan.groupBy, 'value'],
        rows: rows.map((r) => ({ [plan.groupBy!]: r.key, value: r.value })),
        total: rows.length,
      };
    }
    if (plan.aggregate && plan.aggregate.fn === 'count') {
      const n = yield* this.counting(plan);
      const value = plan.limit !== undefined ? Math.min(n, plan.limit) : n;
      return { kind: 'count', columns: [], rows: [], total: value, value };
    }
    if (plan.aggregate) {
      const v = ((yield* first(aggregateQuery(plan, d))) as { value: number | null }).value;
      const value = v === null ? null : Math.round(v * 100) / 100;
      return { kind: 'value', columns: [], rows: [], total: 1, value };
    }
    const limit = page.limit ?? this.opts.pageSize ?? 100;
    const count = yield* this.counting(plan);
    const rows = yield rowsQuery(plan, {
      limit,
      offset: page.offset ?? 0,
      preferOrder: preferOrder(plan, count),
      dialect: d,
    });
    const total = plan.limit !== undefined ? Math.min(count, plan.limit) : count;
    for (const r of rows)
      for (const [k, v] of Object.entries(r))
        if (fieldDef(plan.entity, k)?.type === 'boolean' && v !== null) r[k] = v === 1;
    const columns = [...DEFAULT_COLUMNS[plan.entity]];
    for (const f of [...fieldsOf(plan.filter), ...(plan.sort ?? []).map((s) => s.field)])
      if (!columns.includes(f) && fieldDef(plan.entity, f)) columns.push(f);
    return { kind: 'rows', columns, rows, total };
  }

  private *find(
    base: { conversationId: string; question: string; correctedQuestion?: string },
    text: string,
  ): Reading<Answer> {
    const hits = yield* searchInventory(this.dialect, text, 25);
    const rows: Row[] = [];
    for (const h of hits) {
      const row = (yield* this.rowByKey(h.entity, h.vcenterId, h.moid)) ?? {};
      rows.push({
        entity: entityLabel(h.entity, false),
        name: h.name,
        vcenter: row['vcenter'] ?? null,
        datacenter: row['datacenter'] ?? null,
        cluster: row['cluster'] ?? null,
        host: row['host'] ?? null,
        datastores: row['datastores'] ?? null,
        ipAddress: row['ipAddress'] ?? null,
        powerState: row['powerState'] ?? null,
        matchedOn: h.matchedOn,
      });
    }
    return {
      ...base,
      kind: 'find',
      understood: true,
      interpretation: `find "${text}" in names, guest host names and IP addresses`,
      columns: [
        'entity',
        'name',
        'vcenter',
        'datacenter',
        'cluster',
        'host',
        'datastores',
        'ipAddress',
        'powerState',
      ],
      rows,
      total: rows.length,
      ...(rows.length === 0 ? { message: `Nothing in the inventory matches "${text}".` } : {}),
      // The vCenters the hits live in; none found: any of them might have it.
      freshness: yield* this.freshnessOf(
        undefined,
        rows.length > 0 ? [...new Set(rows.map((r) => String(r.vcenter ?? '')))] : undefined,
      ),
    };
  }

  private *rowByKey(entity: QueryEntity, vcenterId: number, moid: string): Reading<Row | undefined> {
    if (entity === 'vcenters' || entity === 'changes') return undefined;
    return yield* first({ sql: rowByKeyQuery(entity, this.dialect), params: [vcenterId, moid] });
  }

  /**
   * The closest interpretations of a question with words it does not know: each unknown word
   * swapped for the nearest keywords, kept when the result is fully understood; then examples.
   */
  private *suggestFor(question: string, unknown: string[]): Reading<string[]> {
    const out: string[] = [];
    for (const word of unknown.slice(0, 3)) {
      for (const alt of closestKeywords(word.toLowerCase(), 3)) {
        const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const candidate = question.replace(
          new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}(?=$|[^\\p{L}\\p{N}])`, 'iu'),
          `$1${alt}`,
        );
        if (candidate === question || out.includes(candidate)) continue;
        const p = this.parse(candidate);
        if (p.parsed.unknown.length === 0 && !p.problem && p.plan) out.push(candidate);
        if (out.length >= 3) break;
      }
    }
    for (const s of yield* this.suggest(question)) if (out.length < 4 && !out.includes(s)) out.push(s);
    return out;
  }

  /**
   * The example questions with names from this inventory in place of the samples ("cluster
   * Prod-A", "web-prd-012"); an example whose kind of object is missing is left out.
   */
  private *examples(): Reading<string[]> {
    const byVms =
      this.dialect === 'pg' ? 'vm_count DESC NULLS LAST, name ASC NULLS FIRST' : 'vm_count DESC, name';
    const cluster = (yield* first({
      sql: `SELECT name FROM clusters ORDER BY ${byVms} LIMIT 1`,
      params: [],
    }))?.['name'] as string | undefined;
    const vm = (yield* first({ sql: 'SELECT name FROM vms ORDER BY name LIMIT 1', params: [] }))?.['name'] as
      string | undefined;
    return EXAMPLE_QUESTIONS.flatMap((q) => {
      if (q.includes('Prod-A')) return cluster ? [q.replace('Prod-A', cluster)] : [];
      if (q.includes('web-prd-012')) return vm ? [q.replace('web-prd-012', vm)] : [];
      return [q];
    });
  }

  /** Examples close to what was typed, never the question itself (it was just not understood). */
  private *suggest(question: string): Reading<string[]> {
    const list = (yield* this.examples()).filter((q) => !sameQuestion(q, question));
    const found = new Fuse(list, { includeScore: true, threshold: 0.6, ignoreLocation: true })
      .search(question, { limit: 3 })
      .map((r) => r.item);
    return found.length > 0 ? found : list.slice(0, 3);
  }

  /**
   * The vCenters that hold the places a plan names ("in cluster fra-Prod-A", "on host esx03"):
   * only those are involved in its answer. Undefined when it names none, or none is known.
   */
  private *placesOf(plan: QueryPlan | undefined): Reading<string[] | undefined> {
    if (!plan || plan.entity === 'vcenters' || !placedBy(plan.filter)) return undefined;
    const parts = plan.filter!.kind === 'and' ? plan.filter!.filters : [plan.filter!];
    let found: Set<string> | undefined;
    for (const f of parts) {
      if (f.kind !== 'text' || !PLACE_FIELDS.has(f.field) || (f.op !== 'equals' && f.op !== 'glob')) continue;
      const table = PLACE_TABLE[f.field] ?? plan.entity;
      const like =
        f.op === 'glob'
          ? f.value
              .replace(/[\\%_]/g, (c) => `\\${c}`)
              .replace(/\*/g, '%')
              .replace(/\?/g, '_')
          : null;
      const b = new SqlParams(this.dialect);
      const match =
        like === null
          ? nocaseCompare(this.dialect, 't.name', b.bind(f.value))
          : `t.name ${likeOp(this.dialect)} ${b.bind(like)} ESCAPE '\\'`;
      const rows = yield b.query(
        `SELECT DISTINCT vc.name AS name FROM "${table}" t JOIN vcenters vc ON vc.id = t.vcenter_id WHERE ${match}`,
      );
      const names = rows.map((r) => r['name'] as string);
      found = found ? new Set(names.filter((n) => found!.has(n))) : new Set(names);
    }
    return found && found.size > 0 ? [...found] : undefined;
  }

  /**
   * "As of" the oldest last good sync among the vCenters involved, and which are failed or stale.
   * Involved: `only` when given (none for an answer that read no data), else the vCenters the plan
   * names, else those holding the places it names, else every enabled vCenter.
   */
  freshness(plan: QueryPlan | undefined, only?: string[]): Freshness {
    return this.read(this.freshnessOf(plan, only));
  }

  freshnessAsync(plan: QueryPlan | undefined, only?: string[]): Promise<Freshness> {
    return this.readAsync(this.freshnessOf(plan, only), 'no names');
  }

  private *freshnessOf(plan: QueryPlan | undefined, only?: string[]): Reading<Freshness> {
    // SQLite lists vCenters in rowid (id) order; PostgreSQL is told to.
    const order = this.dialect === 'pg' ? ' ORDER BY v.id' : '';
    const rows = (yield {
      sql: `SELECT v.name AS name, v.enabled AS enabled, s.status AS status, s.last_success_at AS "lastSuccessAt" FROM vcenters v LEFT JOIN sync_state s ON s.vcenter_id = v.id${order}`,
      params: [],
    }) as { name: string; enabled: number; status: string | null; lastSuccessAt: string | null }[];
    const named =
      only ??
      (vcenterNamesIn(plan?.filter).length > 0 ? vcenterNamesIn(plan?.filter) : yield* this.placesOf(plan));
    const wanted = named?.map((n) => n.toLowerCase());
    const involved = rows.filter(
      (r) => r.enabled && (wanted === undefined || wanted.includes(r.name.toLowerCase())),
    );
    const staleBefore = this.now().getTime() - (this.opts.staleAfterMs ?? 24 * 3600_000);
    const synced = involved
      .filter((r) => r.lastSuccessAt)
      .map((r) => r.lastSuccessAt!)
      .sort();
    return {
      asOf: synced[0] ?? null,
      failedVcenters: involved
        .filter(
          (r) => r.status === 'failed' || r.status === 'certificate_changed' || r.status === 'reconnecting',
        )
        .map((r) => r.name),
      staleVcenters: involved
        .filter((r) => r.lastSuccessAt && Date.parse(r.lastSuccessAt) < staleBefore)
        .map((r) => r.name),
      neverSyncedVcenters: involved.filter((r) => !r.lastSuccessAt).map((r) => r.name),
    };
  }
}
