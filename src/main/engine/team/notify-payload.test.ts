import { describe, expect, it } from 'vitest';
import { encodeEvent, MERGE, Reassembler } from './notify-payload.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => 100_000 + i);

describe('notification wire format', () => {
  it('a small event is one part; it decodes to the same event', () => {
    const parts = encodeEvent('inst-a', 'm1', 'inventory:changed', { vcenterIds: [3, 1] });
    expect(parts).toHaveLength(1);
    expect(new Reassembler().accept(parts[0]!)).toEqual({
      kind: 'event',
      event: { sender: 'inst-a', name: 'inventory:changed', payload: { vcenterIds: [3, 1] } },
    });
  });

  it('splits a large event under the byte limit and reassembles it, in any order', () => {
    const payload = { vcenterIds: ids(5_000) };
    const parts = encodeEvent('inst-a', 'm2', 'inventory:changed', payload, 1_000);
    expect(parts.length).toBeGreaterThan(30);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(1_000);
    const r = new Reassembler();
    const shuffled = [...parts.slice(1).reverse(), parts[0]!];
    const results = shuffled.map((p) => r.accept(p));
    expect(results.slice(0, -1).every((x) => x.kind === 'partial')).toBe(true);
    expect(results.at(-1)).toEqual({
      kind: 'event',
      event: { sender: 'inst-a', name: 'inventory:changed', payload },
    });
    expect(r.pendingCount).toBe(0);
  });

  it('counts UTF-8 bytes and escapes: a sender name of multi-byte characters never overflows', () => {
    const sender = 'hôte-东京-🚀"\\';
    const parts = encodeEvent(sender, 'm3', 'inventory:changed', { vcenterIds: ids(2_000) }, 600);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(600);
    const r = new Reassembler();
    const last = parts.map((p) => r.accept(p)).at(-1);
    expect(last).toMatchObject({ kind: 'event', event: { sender, payload: { vcenterIds: ids(2_000) } } });
  });

  it('refuses what is not a vMiner event, and a payload of the wrong shape', () => {
    const r = new Reassembler();
    expect(r.accept('hello')).toEqual({ kind: 'invalid', reason: 'not JSON' });
    expect(r.accept('{"x":1}')).toMatchObject({ kind: 'invalid' });
    const env = (d: string) => JSON.stringify({ v: 1, s: 'x', m: 'm', i: 0, n: 1, d });
    expect(r.accept(env('{"e":"sources:refreshed","p":{}}'))).toEqual({
      kind: 'invalid',
      reason: 'unknown event',
    });
    expect(r.accept(env('{"e":"sync:progress","p":{}}'))).toEqual({
      kind: 'invalid',
      reason: 'a malformed sync:progress payload',
    });
    expect(r.accept(env('{"e":"inventory:changed","p":{"vcenterIds":["1"]}}'))).toEqual({
      kind: 'invalid',
      reason: 'a malformed inventory:changed payload',
    });
  });

  it('drops a message whose parts never all arrive', () => {
    const r = new Reassembler(1_000);
    const parts = encodeEvent('a', 'm4', 'inventory:changed', { vcenterIds: ids(500) }, 500);
    r.accept(parts[0]!, 0);
    expect(r.pendingCount).toBe(1);
    r.accept(encodeEvent('a', 'm5', 'inventory:changed', { vcenterIds: [1] })[0]!, 5_000);
    expect(r.pendingCount).toBe(0);
  });

  it('coalesces inventory:changed into the sorted union of the ids', () => {
    expect(MERGE['inventory:changed']({ vcenterIds: [5, 2] }, { vcenterIds: [2, 9, 1] })).toEqual({
      vcenterIds: [1, 2, 5, 9],
    });
  });
});

describe('config:changed', () => {
  it('round-trips tables and row keys; a malformed one is refused', () => {
    const payload = {
      tables: ['sync_state', 'vcenters'],
      keys: { sync_state: [3, 4], settings: ['engine'] },
    };
    const [part] = encodeEvent('inst-a', 'c1', 'config:changed', payload);
    expect(new Reassembler().accept(part!)).toEqual({
      kind: 'event',
      event: { sender: 'inst-a', name: 'config:changed', payload },
    });
    const bad = encodeEvent('inst-a', 'c2', 'config:changed', { tables: 'vcenters' } as never);
    expect(new Reassembler().accept(bad[0]!)).toMatchObject({ kind: 'invalid' });
  });

  it('coalescing keeps row keys only where both sides name them; otherwise the whole table', () => {
    const merged = MERGE['config:changed'](
      { tables: ['users', 'vcenters'], keys: { users: [1], vcenters: [7] } },
      { tables: ['vcenters', 'sources'], keys: { vcenters: [8, 7] } },
    );
    // sources came without keys: read whole; users and vcenters keep their rows.
    expect(merged).toEqual({
      tables: ['sources', 'users', 'vcenters'],
      keys: { users: [1], vcenters: [7, 8] },
    });
  });

  it('carries the leader’s sync requests, replies and states; each kind is checked', () => {
    const summary = {
      startedAt: '2026-12-06T06:00:00.000Z',
      finishedAt: '2026-12-06T06:00:01.000Z',
      durationMs: 1000,
      results: [
        {
          vcenterId: 4,
          vcenter: 'vc-4',
          status: 'stepped_down' as const,
          error: { code: 'NOT_LEADER' as const, message: 'another instance leads' },
          counts: null,
          durationMs: 1000,
          warnings: [],
        },
      ],
    };
    const session = {
      vcenterId: 4,
      vcenter: 'vc-4',
      status: 'live' as const,
      error: null,
      updateSets: 3,
      objectUpdates: 9,
      rowsWritten: 12,
      fullLoads: 1,
      reconnects: 0,
      lastChangeAt: null,
    };
    const events = [
      ['sync:request', { requests: [{ id: 'r1', ids: [4], workers: null }] }],
      [
        'sync:reply',
        {
          replies: [
            { id: 'r1', kind: 'accepted', term: 7 },
            { id: 'r1', kind: 'done', summary },
          ],
        },
      ],
      ['sync:cancel', { cancels: [null, [4]] }],
      [
        'sync:progress',
        { events: [{ vcenterId: 4, vcenter: 'vc-4', phase: 'collecting', status: 'syncing', objects: 5 }] },
      ],
      [
        'scheduler:state',
        { state: { enabled: true, running: false, nextRunAt: null, intervalMinutes: 60, cron: null } },
      ],
      [
        'live:state',
        { events: [{ vcenterId: 4, vcenter: 'vc-4', status: 'live', error: null, detail: null }] },
      ],
      ['live:sessions', { sessions: [session], waiting: [] }],
    ] as const;
    for (const [name, payload] of events) {
      const [part] = encodeEvent('inst-a', `m-${name}`, name, payload as never);
      expect(new Reassembler().accept(part!), name).toEqual({
        kind: 'event',
        event: { sender: 'inst-a', name, payload },
      });
    }
    const env = (d: string) => JSON.stringify({ v: 1, s: 'x', m: 'm', i: 0, n: 1, d });
    const wrong = [
      ['sync:request', { requests: [{ id: '', ids: null, workers: null }] }],
      [
        'sync:reply',
        { replies: [{ id: 'r1', kind: 'done', summary: { ...summary, results: [{ status: 'odd' }] } }] },
      ],
      ['sync:cancel', { cancels: ['all'] }],
      ['scheduler:state', { state: { enabled: 'yes' } }],
      [
        'live:state',
        { events: [{ vcenterId: 4, vcenter: 'vc-4', status: 'asleep', error: null, detail: null }] },
      ],
      ['live:sessions', { sessions: [session] }],
    ] as const;
    for (const [name, p] of wrong)
      expect(new Reassembler().accept(env(JSON.stringify({ e: name, p }))), name).toEqual({
        kind: 'invalid',
        reason: `a malformed ${name} payload`,
      });
  });

  it('coalesces requests, replies, cancels and events into lists; a state replaces the one before', () => {
    expect(
      MERGE['sync:request'](
        { requests: [{ id: 'a', ids: null, workers: null }] },
        { requests: [{ id: 'b', ids: [1], workers: 2 }] },
      ).requests.map((r) => r.id),
    ).toEqual(['a', 'b']);
    expect(MERGE['sync:cancel']({ cancels: [[1]] }, { cancels: [null] })).toEqual({ cancels: [[1], null] });
    const s = (intervalMinutes: number) => ({
      state: { enabled: true, running: false, nextRunAt: null, intervalMinutes, cron: null },
    });
    expect(MERGE['scheduler:state'](s(5), s(9))).toEqual(s(9));
    expect(MERGE['live:sessions']({ sessions: [], waiting: [] }, { sessions: [], waiting: [] })).toEqual({
      sessions: [],
      waiting: [],
    });
  });
});
