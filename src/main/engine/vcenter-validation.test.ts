/**
 * Names and addresses are checked in one place for every way a vCenter comes in: the contract
 * handlers (REST and IPC call these), a file import, and the registry itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTRACT, type ContractResults } from '../../shared/contract.js';
import { createHandlers } from './api.js';
import { Engine } from './engine.js';

let dataDir: string;
let engine: Engine;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-validate-'));
  engine = await Engine.open({ dataDir, owner: 'test', vaultBackend: 'file', onWarning: () => undefined });
});

afterEach(() => {
  engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function call<K extends keyof typeof CONTRACT>(name: K, args: unknown): Promise<ContractResults[K]> {
  const h = createHandlers(engine)[name] as (a: unknown) => Promise<ContractResults[K]>;
  return h((CONTRACT[name].args as { parse(v: unknown): unknown }).parse(args));
}

const add = (name: string, url: string): Promise<unknown> =>
  call('vcenters.add', { name, url, username: 'ro', password: 'pw', thumbprint: 'AB'.repeat(32) });

describe('vcenters.add and vcenters.update (REST, IPC)', () => {
  it.each([
    ['vc01', 'https://admin:secret@vc01.corp/sdk', /contains a user name or password/],
    ['vc01', 'ht!tp://x', /not a URL scheme/],
    ['vc01', 'https://vc01.corp:0/sdk', /port 0/],
    ['vc01', 'https://vc01.corp/\nsdk', /whitespace or a control character/],
    ['evil\u202Etxt', 'https://vc01.corp/sdk', /invisible or control character \(U\+202E\)/],
    ['vc\u200B01', 'https://vc01.corp/sdk', /U\+200B/],
  ])('refuses %j at %j, saying why, and stores nothing', async (name, url, reason) => {
    await expect(add(name, url)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(reason),
    });
    expect(engine.vcenters.list()).toEqual([]);
    expect(engine.vault.list()).toEqual([]);
  });

  it('refuses a second vCenter at the same address, however it is written', async () => {
    await add('vc01', 'VC01.corp');
    await expect(add('vc01-again', 'https://vc01.corp:443/sdk')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'https://vc01.corp/sdk is already registered as "vc01"',
    });
    const other = (await add('vc02', 'vc02.corp')) as { id: number };
    await expect(call('vcenters.update', { id: other.id, url: 'vc01.corp' })).rejects.toMatchObject({
      message: expect.stringMatching(/already registered as "vc01"/),
    });
    await expect(call('vcenters.update', { id: other.id, name: 'VC01' })).rejects.toMatchObject({
      message: expect.stringMatching(/a vCenter named "vc01" is already registered/),
    });
    await expect(call('vcenters.update', { id: other.id, name: 'x\u0007' })).rejects.toMatchObject({
      message: expect.stringMatching(/U\+0007/),
    });
    expect(engine.vcenters.list().map((v) => [v.name, v.url])).toEqual([
      ['vc01', 'https://vc01.corp/sdk'],
      ['vc02', 'https://vc02.corp/sdk'],
    ]);
  });
});

describe('import', () => {
  it('skips rows with a password in the address or an invisible character in the name, with the reason', async () => {
    const csv =
      'name,host\n' +
      'vc-ok,vc-ok.corp\n' +
      'vc-cred,https://admin:secret@vc-cred.corp/sdk\n' +
      'vc-\u202Ebidi,vc-bidi.corp\n' +
      'vc-zero\u200B,vc-zero.corp\n';
    const preview = await call('import.preview', { content: csv });
    expect(preview.items.map((i) => [i.line, i.action, i.reason])).toEqual([
      [2, 'add', null],
      [3, 'skip', expect.stringMatching(/contains a user name or password/)],
      [4, 'skip', expect.stringMatching(/U\+202E/)],
      [5, 'skip', expect.stringMatching(/U\+200B/)],
    ]);
    expect(JSON.stringify(preview)).not.toContain('secret');
  });
});
