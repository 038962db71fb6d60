/**
 * No question crashes the engine: random and hostile strings (SQL fragments, very long input,
 * unicode, mixes of real keywords and names) always give a well-formed answer of a known kind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer, AnswerKind } from '../../../shared/query.js';
import { QueryPlanSchema } from '../../../shared/query.js';
import { openDatabase, type OpenedDatabase } from '../db/database.js';
import { mulberry32, populateCache } from '../../../testing/generate-inventory.js';
import { keywordVocabulary } from './lexicon.js';
import { QueryService } from './query-service.js';

const KINDS: AnswerKind[] = [
  'rows',
  'count',
  'groups',
  'value',
  'find',
  'export',
  'clarify',
  'refused',
  'not_understood',
];

let dir: string;
let opened: OpenedDatabase;
let qe: QueryService;
let vmCount: number;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-fuzz-'));
  opened = openDatabase(dir);
  populateCache(opened, { vcenters: 2, vmsTotal: 200, hostsTotal: 10, datastoresTotal: 6, seed: 5 });
  qe = new QueryService({ sqlite: opened.sqlite, pageSize: 50 });
  vmCount = opened.sqlite.prepare('SELECT count(*) FROM vms').pluck().get() as number;
});

afterAll(() => {
  opened?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function wellFormed(a: Answer, question: string): void {
  expect(KINDS, question).toContain(a.kind);
  expect(typeof a.interpretation, question).toBe('string');
  expect(Array.isArray(a.rows), question).toBe(true);
  expect(a.freshness, question).toBeDefined();
  if (a.plan) expect(QueryPlanSchema.safeParse(a.plan).success, question).toBe(true);
  if (a.kind === 'not_understood') {
    expect(a.rows, question).toEqual([]);
    expect(a.message, question).toBeTruthy();
  }
  if (a.kind === 'clarify') expect(a.suggestions?.length ?? 0, question).toBeGreaterThan(1);
}

function ask(question: string, conversationId?: string): Answer {
  let a: Answer | undefined;
  expect(() => {
    a = qe.ask({ question, ...(conversationId ? { conversationId } : {}) });
  }, question).not.toThrow();
  wellFormed(a!, question);
  return a!;
}

const HOSTILE = [
  '',
  ' ',
  '"',
  "'",
  '""',
  "''",
  '*',
  '%',
  '_',
  '\\',
  '?',
  '.',
  '-',
  '--',
  '/* */',
  "'; DROP TABLE vms; --",
  'vms named "x\' OR 1=1 --"',
  "vms in cluster ' OR '1'='1",
  'vms named %',
  'vms named _',
  'vms containing %_\\',
  'SELECT * FROM vms',
  'vms UNION SELECT password FROM vcenters',
  'vms where 1=1',
  'show vms; DELETE FROM vms',
  'vms named ")) OR ((1=1',
  'find "',
  "find ''",
  'where is',
  'where is ""',
  'export',
  'export that to excel',
  'how many',
  'count by',
  'sort by',
  'top',
  'top 0 vms',
  'top -5 vms',
  'top 99999999999999999999 vms',
  'top 1e400 vms',
  'vms with more than 1e309 cpus',
  'vms with more than NaN cpus',
  'vms with more than -1 cpus',
  'vms with between 9 and 1 cpus',
  'vms with between and cpus',
  'vms older than days',
  'snapshots older than 99999999999 years',
  'vms with snapshots older than 0.5 days',
  '5 5 5 5 5 5',
  '10.0.0.0/8',
  '999.999.999.999',
  '1.2.3.4 5.6.7.8',
  'vms with ip 10.*',
  'not not not not vms',
  'or or or',
  'and and',
  'vms or',
  'in in in cluster cluster',
  'vms in cluster',
  'vms on host',
  'vms named',
  'vms by',
  'count vms by banana',
  'average banana of vms',
  'sum of name of vms',
  'largest snapshots per vcenter',
  'hosts sorted by nothing',
  'vcenters in cluster x',
  'datacenters with tools not running',
  'networks with windows',
  'snapshots with more than 8 cpus',
  'vcenters with no vms',
  'clusters on datastore ds-ssd-01',
  '🙂🙂🙂',
  'vms named 🙂',
  'показать все виртуальные машины',
  '显示所有虚拟机',
  'ｖｍｓ',
  'vms\u0000named\u0000x',
  'vms\u202enamed x',
  'v\u0301ms',
  'é'.repeat(500),
  'vms '.repeat(600),
  'a'.repeat(5000),
  'powered on '.repeat(300) + 'vms',
  'in cluster '.repeat(200),
  'not '.repeat(1000) + 'vms',
  '('.repeat(1000),
  '"'.repeat(999),
  'delete',
  'power',
  'power off',
  'shut',
  '__proto__',
  'constructor',
  'vms named __proto__',
  'toString',
  'hasOwnProperty vms',
  'vms in cluster constructor',
  '$size',
  'sort them by $size',
  'vms by $top',
];

describe('fuzz: no question crashes the engine', () => {
  it('hostile strings give a clean answer or a clean "not understood"', () => {
    for (const q of HOSTILE) ask(q);
  });

  it('SQL in a question is data, never SQL', () => {
    ask("'; DROP TABLE vms; --");
    ask('vms named "x\'; DELETE FROM vms; --"');
    expect(opened.sqlite.prepare('SELECT count(*) FROM vms').pluck().get()).toBe(vmCount);
    const a = ask('vms named "%"');
    expect(a.kind).toBe('rows');
    expect(a.total).toBe(0);
  });

  it('random word salads from the vocabulary, names, numbers and symbols', () => {
    const rnd = mulberry32(1234);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const vocab = keywordVocabulary();
    const names = opened.sqlite
      .prepare('SELECT name FROM clusters UNION SELECT name FROM hosts UNION SELECT name FROM vms LIMIT 60')
      .pluck()
      .all() as string[];
    const extras = ['8', '16gb', '10%', '2 tb', '>', '<=', '"', '*', 'web*', '10.1.2.3', 'ñ', '😀', '-', '?'];
    for (let i = 0; i < 600; i++) {
      const len = 1 + Math.floor(rnd() * 10);
      const words: string[] = [];
      for (let k = 0; k < len; k++) {
        const r = rnd();
        words.push(r < 0.6 ? pick(vocab) : r < 0.8 ? pick(names) : pick(extras));
      }
      ask(words.join(' '));
    }
  });

  it('random characters, including follow-ups in one conversation', () => {
    const rnd = mulberry32(99);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 "\'*%_\\-.,;:!?()[]{}<>=@#$^&|~`/éß漢😀\u0000\n\t';
    let conversationId: string | undefined;
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(rnd() * 80);
      let s = '';
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)] ?? '';
      const a = ask(s, conversationId);
      conversationId = a.conversationId;
      if (i % 25 === 0) conversationId = ask('show all vms').conversationId;
    }
  });

  it('parse() alone never throws either', () => {
    const rnd = mulberry32(7);
    const vocab = keywordVocabulary();
    for (let i = 0; i < 300; i++) {
      const q = Array.from(
        { length: 1 + Math.floor(rnd() * 8) },
        () => vocab[Math.floor(rnd() * vocab.length)]!,
      ).join(' ');
      expect(() => qe.parse(q), q).not.toThrow();
    }
  });
});
