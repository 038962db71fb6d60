import { z } from 'zod';
import { ERROR_CODES, VminerError, type ErrorInfo } from '../../../shared/errors.js';
import type { EngineEvents, SchedulerStateEvent } from '../../../shared/events.js';
import { ENTITIES } from '../../../shared/inventory.js';
import { VCENTER_STATUSES } from '../../../shared/vcenter.js';
import type { LiveSessionInfo } from '../sync/live-manager.js';
import type { SyncSummary } from '../sync/sync-runner.js';

/**
 * The wire format of the team notification channel. PostgreSQL refuses a NOTIFY payload of 8000
 * bytes or more, so one event becomes one or more parts, each a small JSON envelope
 * `{v, s: sender instance, m: message id, i: part index, n: part count, d: a slice of the event's JSON}`.
 * All parts of one message are sent in one statement (one transaction), so they arrive together
 * and in order; the receiver reassembles them by (sender, message id) and validates the event.
 */
export const TEAM_EVENT_NAMES = [
  'inventory:changed',
  'config:changed',
  'sync:request',
  'sync:reply',
  'sync:cancel',
  'sync:progress',
  'scheduler:state',
  'live:state',
  'live:sessions',
  'certs:settle',
  'certs:settled',
] as const;
export type TeamEventName = (typeof TEAM_EVENT_NAMES)[number];
/** A follower's request for a sync, run by the leader (team/team-sync.ts). */
export interface TeamSyncRequest {
  /** Unique per request (the reply names it). */
  id: string;
  /** The vCenters (null: every enabled one). */
  ids: number[] | null;
  workers: number | null;
}

/** The leader's answers to a sync request: taken (with its term), then the summary or the failure. */
export type TeamSyncReply =
  | { id: string; kind: 'accepted'; term: number }
  | { id: string; kind: 'done'; summary: SyncSummary }
  | { id: string; kind: 'failed'; error: ErrorInfo };

/**
 * The events the bus carries: the engine's own `inventory:changed` (src/shared/events.ts);
 * `config:changed`, which is the instances' own (team/config/pg-config.ts): the configuration
 * tables another instance wrote, for the mirrors to reload; and the leader's sync engine
 * (team/team-sync.ts): the followers' sync requests and cancels, the leader's replies, and the
 * leader's progress, scheduler and live state for the followers' clients. Events that may be
 * coalesced carry lists (the requests, replies and events of one window travel together).
 */
export interface TeamEvents {
  'inventory:changed': EngineEvents['inventory:changed'];
  /** The tables written, and for some of them the primary keys of the rows (absent: the whole table). */
  'config:changed': { tables: string[]; keys?: Record<string, (number | string)[]> };
  'sync:request': { requests: TeamSyncRequest[] };
  'sync:reply': { replies: TeamSyncReply[] };
  /** Each entry one cancel: the vCenters, or null for all. */
  'sync:cancel': { cancels: (number[] | null)[] };
  'sync:progress': { events: EngineEvents['sync:progress'][] };
  'scheduler:state': { state: SchedulerStateEvent };
  'live:state': { events: EngineEvents['live:state'][] };
  /**
   * The leader's live sessions (`LiveManager.sessionsInfo()`) and the vCenters waiting for a login
   * to be live with (the rest of `statusInfo()`).
   */
  'live:sessions': { sessions: LiveSessionInfo[]; waiting: LiveSessionInfo[] };
  /**
   * A follower trusted these certificates: the leader puts each vCenter whose sync stopped at the
   * old certificate back to idle, if its pin is still the thumbprint trusted.
   */
  'certs:settle': { items: { vcenterId: number; thumbprint: string }[] };
  /** The leader settled these vCenters' sync states (every instance's clients refetch them). */
  'certs:settled': { vcenterIds: number[] };
}

const errorInfo = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
const status = z.enum(VCENTER_STATUSES);
const counts = z.record(z.enum(ENTITIES), z.number());
const ids = z.array(z.number().int());
const syncSummary = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  results: z.array(
    z.object({
      vcenterId: z.number().int(),
      vcenter: z.string(),
      status: z.enum(['ok', 'failed', 'certificate_changed', 'stepped_down']),
      error: errorInfo.nullable(),
      counts: counts.nullable(),
      durationMs: z.number(),
      warnings: z.array(z.string()),
    }),
  ),
});
const liveState = z.object({
  vcenterId: z.number().int(),
  vcenter: z.string(),
  status,
  error: errorInfo.nullable(),
  detail: z.string().nullable(),
});
const liveSession = liveState.omit({ detail: true }).extend({
  updateSets: z.number(),
  objectUpdates: z.number(),
  rowsWritten: z.number(),
  fullLoads: z.number(),
  reconnects: z.number(),
  lastChangeAt: z.string().nullable(),
});

const PAYLOADS: { [K in TeamEventName]: z.ZodType<TeamEvents[K]> } = {
  'inventory:changed': z.object({ vcenterIds: z.array(z.number().int()) }),
  'config:changed': z.object({
    tables: z.array(z.string().min(1).max(63)).max(64),
    keys: z.record(z.string(), z.array(z.union([z.number(), z.string()]))).optional(),
  }),
  'sync:request': z.object({
    requests: z.array(
      z.object({
        id: z.string().min(1).max(100),
        ids: ids.nullable(),
        workers: z.number().int().positive().nullable(),
      }),
    ),
  }),
  'sync:reply': z.object({
    replies: z.array(
      z.discriminatedUnion('kind', [
        z.object({ id: z.string(), kind: z.literal('accepted'), term: z.number().int() }),
        z.object({ id: z.string(), kind: z.literal('done'), summary: syncSummary }),
        z.object({ id: z.string(), kind: z.literal('failed'), error: errorInfo }),
      ]),
    ),
  }),
  'sync:cancel': z.object({ cancels: z.array(ids.nullable()) }),
  'sync:progress': z.object({
    events: z.array(
      z.object({
        vcenterId: z.number().int(),
        vcenter: z.string(),
        phase: z.enum(['queued', 'started', 'collecting', 'storing', 'finished']),
        status,
        objects: z.number().optional(),
        counts: counts.optional(),
        durationMs: z.number().optional(),
        error: errorInfo.optional(),
      }),
    ),
  }),
  'scheduler:state': z.object({
    state: z.object({
      enabled: z.boolean(),
      running: z.boolean(),
      nextRunAt: z.string().nullable(),
      intervalMinutes: z.number(),
      cron: z.string().nullable(),
    }),
  }),
  'live:state': z.object({ events: z.array(liveState) }),
  'live:sessions': z.object({ sessions: z.array(liveSession), waiting: z.array(liveSession) }),
  'certs:settle': z.object({
    items: z.array(z.object({ vcenterId: z.number().int(), thumbprint: z.string().min(1).max(200) })),
  }),
  'certs:settled': z.object({ vcenterIds: ids }),
};

/** Folds two pending events of one name into one (publish coalescing). */
export const MERGE: { [K in TeamEventName]: (a: TeamEvents[K], b: TeamEvents[K]) => TeamEvents[K] } = {
  'inventory:changed': (a, b) => ({
    vcenterIds: [...new Set([...a.vcenterIds, ...b.vcenterIds])].sort((x, y) => x - y),
  }),
  'config:changed': (a, b) => {
    const tables = [...new Set([...a.tables, ...b.tables])].sort();
    const keys: Record<string, (number | string)[]> = {};
    // A table either side names without keys is read whole.
    for (const t of tables) {
      const x = a.tables.includes(t) ? a.keys?.[t] : [];
      const y = b.tables.includes(t) ? b.keys?.[t] : [];
      if (x && y) keys[t] = [...new Set([...x, ...y])];
    }
    return { tables, keys };
  },
  'sync:request': (a, b) => ({ requests: [...a.requests, ...b.requests] }),
  'sync:reply': (a, b) => ({ replies: [...a.replies, ...b.replies] }),
  'sync:cancel': (a, b) => ({ cancels: [...a.cancels, ...b.cancels] }),
  'sync:progress': (a, b) => ({ events: [...a.events, ...b.events] }),
  // A state replaces the one before it.
  'scheduler:state': (_a, b) => b,
  'live:state': (a, b) => ({ events: [...a.events, ...b.events] }),
  'live:sessions': (_a, b) => b,
  'certs:settle': (a, b) => ({ items: [...a.items, ...b.items] }),
  'certs:settled': (a, b) => ({
    vcenterIds: [...new Set([...a.vcenterIds, ...b.vcenterIds])].sort((x, y) => x - y),
  }),
};

/** PostgreSQL's limit is "shorter than 8000 bytes"; the default leaves room. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 7_900;
const MAX_PARTS = 10_000;

const Envelope = z.object({
  v: z.literal(1),
  s: z.string().min(1),
  m: z.string().min(1),
  i: z.number().int().nonnegative(),
  n: z.number().int().positive().max(MAX_PARTS),
  d: z.string(),
});
type Envelope = z.infer<typeof Envelope>;

const Body = z.object({ e: z.enum(TEAM_EVENT_NAMES), p: z.unknown() });

const envelope = (e: Envelope): string => JSON.stringify(e);
/** The bytes `ch` takes inside a JSON string in UTF-8. */
const escapedBytes = (ch: string): number => Buffer.byteLength(JSON.stringify(ch)) - 2;

/** The NOTIFY payloads for one event, each at most `maxBytes` bytes (UTF-8). */
export function encodeEvent<K extends TeamEventName>(
  sender: string,
  messageId: string,
  name: K,
  payload: TeamEvents[K],
  maxBytes = DEFAULT_MAX_PAYLOAD_BYTES,
): string[] {
  const body = JSON.stringify({ e: name, p: payload });
  const overhead = Buffer.byteLength(
    envelope({ v: 1, s: sender, m: messageId, i: MAX_PARTS, n: MAX_PARTS, d: '' }),
  );
  const room = maxBytes - overhead;
  if (room < 16)
    throw new VminerError('INVALID_INPUT', `a notification of ${maxBytes} bytes leaves no room for data`);
  const slices: string[] = [];
  let current = '';
  let size = 0;
  // By code point, so a surrogate pair is never cut in two.
  for (const ch of body) {
    const cost = escapedBytes(ch);
    if (size + cost > room) {
      slices.push(current);
      current = '';
      size = 0;
    }
    current += ch;
    size += cost;
  }
  slices.push(current);
  if (slices.length > MAX_PARTS)
    throw new VminerError(
      'TOO_LARGE',
      `the ${name} event is ${Buffer.byteLength(body)} bytes: more than ${MAX_PARTS} notifications`,
    );
  return slices.map((d, i) => envelope({ v: 1, s: sender, m: messageId, i, n: slices.length, d }));
}

export interface DecodedEvent<K extends TeamEventName = TeamEventName> {
  sender: string;
  name: K;
  payload: TeamEvents[K];
}

export type AcceptResult =
  { kind: 'event'; event: DecodedEvent } | { kind: 'partial' } | { kind: 'invalid'; reason: string };

/** Collects parts until a message is whole; partial messages older than `ttlMs` are dropped. */
export class Reassembler {
  private readonly pending = new Map<string, { parts: (string | undefined)[]; got: number; at: number }>();
  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxPending = 1_000,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  accept(raw: string, now = Date.now()): AcceptResult {
    for (const [k, p] of this.pending) if (now - p.at > this.ttlMs) this.pending.delete(k);
    let env: Envelope;
    try {
      const parsed = Envelope.safeParse(JSON.parse(raw));
      if (!parsed.success) return { kind: 'invalid', reason: 'not a vMiner notification envelope' };
      env = parsed.data;
    } catch {
      return { kind: 'invalid', reason: 'not JSON' };
    }
    if (env.i >= env.n) return { kind: 'invalid', reason: `part ${env.i} of ${env.n}` };
    let text: string;
    if (env.n === 1) text = env.d;
    else {
      const key = `${env.s}\n${env.m}`;
      let p = this.pending.get(key);
      if (!p) {
        if (this.pending.size >= this.maxPending) this.pending.delete(this.pending.keys().next().value!);
        p = { parts: new Array<string | undefined>(env.n).fill(undefined), got: 0, at: now };
        this.pending.set(key, p);
      }
      if (p.parts.length !== env.n) return { kind: 'invalid', reason: 'parts disagree on their count' };
      if (p.parts[env.i] === undefined) p.got++;
      p.parts[env.i] = env.d;
      if (p.got < env.n) return { kind: 'partial' };
      this.pending.delete(key);
      text = p.parts.join('');
    }
    let body: z.infer<typeof Body>;
    try {
      const parsed = Body.safeParse(JSON.parse(text));
      if (!parsed.success) return { kind: 'invalid', reason: 'unknown event' };
      body = parsed.data;
    } catch {
      return { kind: 'invalid', reason: 'the reassembled event is not JSON' };
    }
    const payload = PAYLOADS[body.e].safeParse(body.p);
    if (!payload.success) return { kind: 'invalid', reason: `a malformed ${body.e} payload` };
    return { kind: 'event', event: { sender: env.s, name: body.e, payload: payload.data } };
  }
}
