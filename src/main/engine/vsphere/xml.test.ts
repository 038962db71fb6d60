import { describe, expect, it } from 'vitest';
import { heldBy } from '../../../testing/heap.js';
import { Interner, ownString } from './xml-tags.js';
import {
  escapeXml,
  MoRef,
  parseSoap,
  SoapStreamParser,
  toValue,
  XmlLimitError,
  XmlSyntaxError,
  type XNode,
} from './xml.js';

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

/** Feeds `xml` to a parser in chunks of `size` characters and returns the tree. */
function parseInChunks(xml: string, size: number, p = new SoapStreamParser()): XNode {
  for (let i = 0; i < xml.length; i += size) p.write(xml.slice(i, i + size));
  return p.end();
}

describe('SoapStreamParser across chunk boundaries', () => {
  it('decodes entities, comments, CDATA and quoted ">" cut at every possible place', () => {
    const xml =
      '<?xml version="1.0"?><!-- a > comment --><E a="x>y" b=\'1>2\'><t>a &amp; b &#x263A; &lt;c&gt; &#9731;</t>' +
      '<c><![CDATA[raw <not> &amp; markup]]></c><e/></E>';
    for (let size = 1; size <= 12; size++) {
      const root = parseInChunks(xml, size);
      expect(
        root.children.map((c) => [c.name, c.text]),
        `chunks of ${size}`,
      ).toEqual([
        ['t', 'a & b \u263A <c> \u2603'],
        ['c', 'raw <not> &amp; markup'],
        ['e', ''],
      ]);
    }
  });

  it('parses a 50 MB text node in linear time (10 MB vs 50 MB, 64 KB chunks)', () => {
    const chunk = 64 * 1024;
    const piece = 'x'.repeat(1023) + '\n';
    const time = (mb: number): number => {
      const text = piece.repeat(mb * 1024);
      const p = new SoapStreamParser();
      const t0 = performance.now();
      p.write('<a>');
      for (let i = 0; i < text.length; i += chunk) p.write(text.slice(i, i + chunk));
      p.write('</a>');
      const root = p.end();
      const ms = performance.now() - t0;
      expect(root.text.length).toBe(text.length);
      return ms;
    };
    time(1); // warm-up
    const small = Math.min(time(10), time(10));
    const large = time(50);
    // Linear: about 5×. The quadratic rescan this replaced measured far above 20×.
    expect(large / small).toBeLessThan(12);
  });
});

describe('strings the parser hands out', () => {
  it('keep no input chunk alive (a kept value of a 16 kB chunk costs its own length)', () => {
    const { value: root, bytes: held } = heldBy(() => {
      const p = new SoapStreamParser();
      p.write('<E>');
      // Each chunk a string of its own: one 22-character value, then 16 kB of whitespace (not kept).
      for (let i = 0; i < 1000; i++)
        p.write(`<v type="T">value-${String(i).padStart(16, '0')}</v>${' '.repeat(16 * 1024)}`);
      p.write('</E>');
      return p.end();
    });
    expect(root.children).toHaveLength(1000);
    expect(root.children[999]).toMatchObject({ name: 'v', moType: 'T', text: 'value-0000000000000999' });
    // 1,000 nodes and their texts are well under 1 MB; the chunks would be 16 MB (32 as UTF-16).
    expect(held).toBeLessThan(4 * 1024 * 1024);
  });

  it('copy long strings and leave short ones be', () => {
    const big = 'x'.repeat(100) + 'a value of more than 13 characters' + 'y'.repeat(100);
    const long = big.slice(100, 134);
    expect(ownString(long)).toBe('a value of more than 13 characters');
    expect(ownString('short')).toBe('short');
    expect(ownString('')).toBe('');
  });

  it('intern a range of a larger string by its characters', () => {
    const interner = new Interner();
    const doc =
      '<val xsi:type="xsd:string">x</val><val xsi:type="xsd:int">1</val><val xsi:type="xsd:string">';
    const first = interner.intern(doc, doc.indexOf('string'), doc.indexOf('string') + 6);
    expect(first).toBe('string');
    expect(interner.intern(doc, doc.lastIndexOf('string'), doc.lastIndexOf('string') + 6)).toBe('string');
    expect(interner.intern(doc, doc.indexOf('int'), doc.indexOf('int') + 3)).toBe('int');
    // Same length, first and last character (one bucket), other characters: another name.
    expect(interner.intern('strong')).toBe('strong');
    expect(interner.size).toBe(3);
    expect(interner.intern(doc, 5, 5)).toBe('');
  });

  it('intern names up to a bound, then copy them', () => {
    const interner = new Interner(3);
    for (const n of ['propSet', 'name', 'val', 'propSet', 'extra-name-1', 'extra-name-2'])
      expect(interner.intern(n)).toBe(n);
    expect(interner.size).toBe(3);
  });
});

describe('SoapStreamParser limits and errors', () => {
  it('says where malformed XML breaks (line and column)', () => {
    let err: unknown;
    try {
      parseInChunks('<a>\n  <b>text</c>\n</a>', 5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XmlSyntaxError);
    expect(err).toMatchObject({ line: 2, column: 10 });
    expect(String((err as Error).message)).toMatch(/<\/c> does not match <b> \(line 2, column 10\)/);
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = '<a>'.repeat(300) + '</a>'.repeat(300);
    expect(() => parseInChunks(deep, 1000, new SoapStreamParser({}, { maxDepth: 256 }))).toThrow(
      XmlLimitError,
    );
    expect(parseInChunks(deep, 1000, new SoapStreamParser({}, { maxDepth: 300 })).name).toBe('a');
  });

  it('refuses to hold more elements than the limit, but counts emitted ones as released', () => {
    const many = '<E><B>' + '<x/>'.repeat(2000) + '</B></E>';
    expect(() => parseInChunks(many, 512, new SoapStreamParser({}, { maxHeldElements: 1000 }))).toThrow(
      /more than 1,000 elements/,
    );
    let emitted = 0;
    const p = new SoapStreamParser(
      { emitName: 'x', emitDepth: 3, onEmit: () => emitted++ },
      { maxHeldElements: 1000 },
    );
    parseInChunks(many, 512, p);
    expect(emitted).toBe(2000);
  });
});
