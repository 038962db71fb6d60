import { describe, expect, it } from 'vitest';
import { VminerError } from './errors.js';
import {
  checkVcenterName,
  normalizeVcenterUrl,
  parseVcenterUrl,
  vcenterNameProblem,
} from './vcenter-input.js';

describe('vCenter names', () => {
  it.each([
    ['vc01', 'vc01'],
    ['  vc 01 (Amsterdam)  ', 'vc 01 (Amsterdam)'],
    ['Zürich – Rechenzentrum 2', 'Zürich – Rechenzentrum 2'],
    ['東京-vc', '東京-vc'],
    ['x'.repeat(100), 'x'.repeat(100)],
  ])('accepts %j', (name, want) => {
    expect(checkVcenterName(name)).toBe(want);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['x'.repeat(101), /101 characters long; at most 100/],
    ['x'.repeat(100_000), /100,000 characters long/],
    ['vc\n01', /control character \(U\+000A\)/],
    ['vc\t01', /U\+0009/],
    ['vc\u000701', /U\+0007/],
    ['vc\u009b01', /U\+009B/],
    ['evil\u202Egpj.exe', /invisible or control character \(U\+202E\)/],
    ['vc\u2066x\u2069', /U\+2066/],
    ['vc\u200B01', /U\+200B/],
    ['vc\uFEFF01', /U\+FEFF/],
    ['vc\u2028x', /U\+2028/],
  ])('refuses %j with the reason', (name, reason) => {
    expect(vcenterNameProblem(name)).toMatch(reason);
    expect(() => checkVcenterName(name)).toThrow(VminerError);
    expect(() => checkVcenterName(name)).toThrow(/^vCenter name: /);
  });
});

describe('vCenter addresses', () => {
  it.each([
    ['vc01.corp', 'https://vc01.corp/sdk'],
    ['VC01.Corp:8443', 'https://vc01.corp:8443/sdk'],
    ['https://vc01.corp', 'https://vc01.corp/sdk'],
    ['https://vc01.corp:443/sdk?x=1#y', 'https://vc01.corp/sdk'],
    ['https://10.0.0.5/custom', 'https://10.0.0.5/custom'],
    ['[fe80::1]:9443', 'https://[fe80::1]:9443/sdk'],
    ['  https://vc01.corp/sdk  ', 'https://vc01.corp/sdk'],
  ])('normalises %j', (input, want) => {
    expect(normalizeVcenterUrl(input)).toBe(want);
  });

  it.each([
    ['', /empty/],
    ['https://user:secret@vc01.corp/sdk', /contains a user name or password/],
    ['https://user@vc01.corp', /contains a user name or password/],
    ['ht!tp://x', /"ht!tp" is not a URL scheme/],
    ['http://vc01.corp', /https:\/\/ only/],
    ['ftp://vc01.corp', /https:\/\/ only/],
    ['https://vc01.corp:0/sdk', /port 0 is not a port/],
    ['vc01.corp:0', /port 0/],
    ['https://vc01.corp:70000', /not a valid address/],
    ['https://vc01\n.corp/sdk', /whitespace or a control character \(U\+000A\)/],
    ['https://vc01.corp/s dk', /whitespace/],
    ['https://vc01.corp/\u202Esdk', /U\+202E/],
    [`https://${'a'.repeat(70_000)}.corp/sdk`, /longer than 500 characters/],
    ['https://vc_01.corp', /"vc_01.corp" is not a valid host name/],
    ['https://-vc.corp', /not a valid host name/],
    ['https://', /not a valid address/],
  ])('refuses %j with the reason', (input, reason) => {
    const r = parseVcenterUrl(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(reason);
    expect(() => normalizeVcenterUrl(input)).toThrow(/^vCenter address /);
  });

  it('never repeats a password from the input in its message', () => {
    const r = parseVcenterUrl('https://admin:Sup3rS3cret@vc01.corp/sdk');
    // The input is shown so the user can find it, but not what it holds before the "@".
    expect(!r.ok && r.problem).toMatch(/^"https:\/\/…@vc01\.corp\/sdk": .*never a password in an address/);
    expect(!r.ok && r.problem).not.toMatch(/admin|Sup3rS3cret/);
    expect(parseVcenterUrl('admin:pw@vc01.corp')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^"…@vc01/),
    });
  });
});
