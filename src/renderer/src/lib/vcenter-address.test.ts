import { describe, expect, it } from 'vitest';
import { vcenterAddressProblem } from './vcenter-address.js';

describe('vCenter address as typed', () => {
  it('accepts host names, IPs, ports, paths and https URLs', () => {
    for (const ok of [
      'vc01.corp.example',
      'vc01',
      '10.0.0.5',
      '10.0.0.5:8443',
      'https://vc01.corp.example/sdk',
      'https://[::1]:443/sdk',
      'HTTPS://VC01.CORP',
    ])
      expect(vcenterAddressProblem(ok), ok).toBeNull();
  });

  it('says what is wrong, in words', () => {
    expect(vcenterAddressProblem('ht!tp://bad host:99999')).toMatch(/no spaces/);
    expect(vcenterAddressProblem('ht!tp://badhost:99999')).toMatch(/not a scheme/);
    expect(vcenterAddressProblem('http://vc01')).toMatch(/https:\/\/ only/);
    expect(vcenterAddressProblem('vc01:99999')).toMatch(/out of range/);
    expect(vcenterAddressProblem('https://vc_01.corp')).toMatch(/not a valid host name/);
    expect(vcenterAddressProblem('https://admin:pw@vc01')).toMatch(/user name out/);
    expect(vcenterAddressProblem('  ')).toMatch(/Enter the vCenter/);
  });
});
