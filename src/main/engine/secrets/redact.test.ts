import { describe, expect, it } from 'vitest';
import { redact, Redactor, REDACTED } from './redact.js';

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

describe('Redactor (forms worked out once)', () => {
  // Every character the escapes touch: XML's five, a space, URI-reserved !'()* and non-ASCII.
  const secret = `p<a&s"s'w>0 (rd)!* é`;
  const amp = secret.replace(/&/g, '&amp;');
  const uri = encodeURIComponent(secret);
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  const knownForms: Record<string, string> = {
    plain: secret,
    'XML, named entities': amp
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;'),
    'XML, numeric entities': amp
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&#34;')
      .replace(/'/g, '&#39;'),
    'XML, &quot; and &#39;': amp
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;'),
    'XML text node (& < >)': amp.replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    'XML, & and < only': amp.replace(/</g, '&lt;'),
    'URI component': uri,
    'form encoding (+ for space)': uri.replace(/%20/g, '+'),
    'URI, lower-case hex': uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    "URI, RFC 3986 (!'()* escaped)": uri.replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    ),
    base64: b64,
    'base64, unpadded': b64.replace(/=+$/, ''),
  };

  it.each(Object.entries(knownForms))('masks the %s form', (_name, form) => {
    const r = new Redactor([secret]);
    expect(r.redact(`before ${form} after`)).toBe(`before ${REDACTED} after`);
    expect(r.redact(`before ${form} after`)).toBe(redact(`before ${form} after`, [secret]));
  });

  it('looks for each distinct form once, and a secret added later is masked from then on', () => {
    const r = new Redactor();
    expect(r.redact(`x ${secret} y`)).toBe(`x ${secret} y`);
    r.add(secret);
    const forms = r.formCount;
    expect(forms).toBe(new Set(Object.values(knownForms)).size);
    r.add(secret);
    r.add('');
    expect(r.formCount).toBe(forms);
    for (const form of Object.values(knownForms)) expect(r.redact(form)).toBe(REDACTED);
    r.add('hunter2');
    expect(r.redact(`${secret} hunter2 ${Buffer.from('hunter2').toString('base64')}`)).toBe('*** *** ***');
  });

  it('replaces a longer form whole when a shorter secret is part of it', () => {
    const r = new Redactor(['abc']);
    r.add('abcdef');
    expect(r.redact('abcdefg abc')).toBe('***g ***');
  });
});
