import { describe, expect, it } from 'vitest';
import { escapeXml, MoRef, parseSoap, SoapStreamParser, toValue, type XNode } from './xml.js';

describe('escapeXml', () => {
  it('escapes every XML-special character', () => {
    expect(escapeXml(`<a&b"c'd>`)).toBe('&lt;a&amp;b&quot;c&apos;d&gt;');
  });
});

describe('toValue', () => {
  const doc = (inner: string): XNode =>
    parseSoap(`<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ${inner}`);

  it('reads arrays, references, nested objects and repeated children', () => {
    const arr = toValue(
      doc(
        'xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">ds-1</ManagedObjectReference></val>',
      ),
    );
    expect(arr).toEqual([new MoRef('Datastore', 'ds-1')]);
    const nested = toValue(
      doc(
        'xsi:type="GuestInfo"><net><ipAddress>10.0.0.1</ipAddress><ipAddress>fe80::1</ipAddress></net><hostName>web &amp; co</hostName></val>',
      ),
    );
    expect(nested).toMatchObject({
      _type: 'GuestInfo',
      net: { ipAddress: ['10.0.0.1', 'fe80::1'] },
      hostName: 'web & co',
    });
  });
});

describe('SoapStreamParser', () => {
  it('hands over emitted elements chunk by chunk and keeps them out of the tree', () => {
    const seen: string[] = [];
    const p = new SoapStreamParser({
      emitName: 'objects',
      emitDepth: 3,
      onEmit: (n) => seen.push(n.children[0]!.text),
    });
    const xml =
      '<E><B><objects><obj>vm-1</obj></objects><objects><obj>vm-2</obj></objects><token>t1</token></B></E>';
    for (let i = 0; i < xml.length; i += 7) p.write(xml.slice(i, i + 7));
    const root = p.end();
    expect(seen).toEqual(['vm-1', 'vm-2']);
    expect(root.children[0]!.children.map((c) => c.name)).toEqual(['token']);
  });

  it('rejects malformed XML', () => {
    const p = new SoapStreamParser();
    expect(() => {
      p.write('<a><b></a>');
      p.end();
    }).toThrow();
  });
});
