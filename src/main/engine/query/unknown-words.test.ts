/**
 * The unknown-word policy (issue 14): a word the parser does not know is never dropped to answer a
 * broader question. Only fillers from a fixed list may be left out; anything else makes the answer
 * "not understood", with the words named (machine-readable) and suggestions. Over a generated cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { populateCache } from '../../../testing/generate-inventory.js';
import { QueryService } from './query-service.js';

let dir: string;
let opened: OpenedDatabase;
let qe: QueryService;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-unknown-'));
  opened = openDatabase(dir);
  populateCache(opened, { vcenters: 2, vmsTotal: 200, hostsTotal: 12, datastoresTotal: 6, seed: 9 });
  qe = new QueryService({ sqlite: opened.sqlite });
});

afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a word it does not know is never dropped', () => {
  it.each([
    ['vms with lots of memory', 'lots'],
    ['big vms', 'big'],
    ['idle windows vms', 'idle'],
    ['prod vms', 'prod'],
    ['clusters with evc', 'evc'],
    ['hosts with lockdown mode', 'lockdown'],
    ['vms with many snapshots', 'many'],
    ['powered of vms', 'powered'],
    ['orphaned vms', 'orphaned'],
    ['vms that are not', 'not'],
    ['windows vms with', 'with'],
    ['datastores that are nearly full', 'nearly'],
  ])('%s → not understood, naming "%s"', (question, word) => {
    const a = qe.ask({ question });
    expect(a.kind, a.interpretation).toBe('not_understood');
    expect(a.understood).toBe(false);
    expect(a.unknownWords?.map((w) => w.toLowerCase())).toContain(word);
    expect(a.rows).toEqual([]);
    expect(a.total).toBe(0);
    expect(a.message).toContain(`"${word}"`);
    expect(a.suggestions?.length ?? 0).toBeGreaterThan(0);
    // The interpretation still shows what was understood, and what was not.
    expect(a.interpretation).toContain('not understood');
  });

  it('suggests the nearest fully understood questions first', () => {
    const a = qe.ask({ question: 'shoe all powered on vms where tools are stoped' });
    expect(a.understood).toBe(true);
    const b = qe.ask({ question: 'vms with tools stoped and outdaated memory' });
    expect(b.kind).toBe('not_understood');
    expect(b.suggestions?.length ?? 0).toBeGreaterThan(0);
  });

  it.each([
    'please show me all the vms',
    'can you list the hosts for me',
    'what are the datastores',
    'show me the vms that are powered off right now',
    'which hosts are in maintenance mode',
  ])('fillers alone are fine: %s', (question) => {
    const a = qe.ask({ question });
    expect(a.understood, a.interpretation).toBe(true);
    expect(['rows', 'count']).toContain(a.kind);
    expect(a.unknownWords).toBeUndefined();
  });

  it('a not-understood answer carries understood: false and the words in JSON', () => {
    const json = JSON.parse(JSON.stringify(qe.ask({ question: 'zombie vms in the dmz' }))) as Record<
      string,
      unknown
    >;
    expect(json['understood']).toBe(false);
    expect(json['unknownWords']).toEqual(expect.arrayContaining(['zombie']));
    expect(json['rows']).toEqual([]);
  });

  it('every answer says whether it was understood', () => {
    expect(qe.ask({ question: 'powered off vms' }).understood).toBe(true);
    expect(qe.ask({ question: 'delete all vms' }).understood).toBe(true);
    expect(qe.ask({ question: 'blah blah' }).understood).toBe(false);
  });
});
