import { describe, expect, it } from 'vitest';
import { redact } from './redact.js';

describe('redact', () => {
  const secret = `p<a&s"s'w>0rd é`;

  it('replaces plain, XML-escaped, URI-encoded and base64 forms', () => {
    const xml = `p&lt;a&amp;s&quot;s&apos;w&gt;0rd é`;
    const xmlNumeric = `p&lt;a&amp;s&#34;s&#39;w&gt;0rd é`;
    const uri = encodeURIComponent(secret);
    const form = uri.replace(/%20/g, '+');
    const b64 = Buffer.from(secret).toString('base64');
    const text = `a=${secret} b=<password>${xml}</password> c=${xmlNumeric} d=?pw=${uri} e=${form} f=Basic ${b64}`;
    const out = redact(text, [secret]);
    expect(out).toBe('a=*** b=<password>***</password> c=*** d=?pw=*** e=*** f=Basic ***');
  });

  it('handles several secrets, overlapping ones and repeats', () => {
    expect(redact('abc abcdef abc', ['abc', 'abcdef'])).toBe('*** *** ***');
    expect(redact('x', [])).toBe('x');
    expect(redact('nothing here', ['', 'zzz'])).toBe('nothing here');
  });

  it('accepts any iterable (e.g. a Set or vault values)', () => {
    expect(redact('one two', new Set(['one', 'two']))).toBe('*** ***');
  });

  it('treats regex metacharacters literally', () => {
    expect(redact('a.*b a+b', ['.*', 'a+b'])).toBe('a***b ***');
  });
});
