import { describe, expect, it } from 'vitest';
import { VminerError } from '../../../shared/errors.js';
import { ObjectContentBuilder, type MissingProperty, type ObjectContent } from './object-content.js';
import { parseObject } from './property-collector.js';
import { MoRef, SoapStreamParser, type XNode } from './xml.js';
import { heldBy } from '../../../testing/heap.js';

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** A RetrievePropertiesEx answer with what vCenters and the simulator send, and some oddities. */
const objects = [
  // The simulator's style: the xsi namespace declared on every value.
  '<objects><obj type="VirtualMachine">vm-1</obj>' +
    '<propSet><name>name</name><val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="xsd:string">web &amp; db &#x263A;</val></propSet>' +
    '<propSet><name>runtime.host</name><val xsi:type="ManagedObjectReference" type="HostSystem">host-9</val></propSet>' +
    '<propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">ds-1</ManagedObjectReference><ManagedObjectReference xsi:type="ManagedObjectReference">ds-2</ManagedObjectReference></val></propSet>' +
    '<propSet><name>network</name><val xsi:type="ArrayOfManagedObjectReference"></val></propSet>' +
    '<propSet><name>guest.net</name><val xsi:type="ArrayOfGuestNicInfo"><GuestNicInfo xsi:type="GuestNicInfo"><network>VM Network</network><ipAddress>10.0.0.5</ipAddress><ipAddress>fe80::1</ipAddress><connected>true</connected></GuestNicInfo><GuestNicInfo><ipAddress>10.1.0.5</ipAddress></GuestNicInfo></val></propSet>' +
    '<propSet><name>snapshot</name><val xsi:type="VirtualMachineSnapshotInfo"><currentSnapshot type="VirtualMachineSnapshot">snap-2</currentSnapshot><rootSnapshotList><snapshot type="VirtualMachineSnapshot">snap-1</snapshot><name>before &lt;upgrade&gt;</name><createTime>2026-01-02T03:04:05.123456Z</createTime><childSnapshotList><snapshot type="VirtualMachineSnapshot">snap-2</snapshot><name>after</name><childSnapshotList/></childSnapshotList></rootSnapshotList></val></propSet>' +
    '<propSet><name>config.annotation</name><val xsi:type="xsd:string"><![CDATA[raw <b>text</b> &amp;]]></val></propSet>' +
    '<propSet><name>config.template</name><val xsi:type="xsd:boolean">false</val></propSet>' +
    '<propSet><name>summary.storage.committed</name><val xsi:type="xsd:long"/></propSet>' +
    '</objects>',
  // Odd but well-formed spacing, quotes and prefixes: the general path of the scanner.
  "<objects ><obj  type = 'HostSystem' >host-9</obj >" +
    '<propSet>\n  <name>summary.hardware</name>\n  <val\txsi:type="HostHardwareSummary" a="x>y"><vendor>ACME</vendor><model>M&amp;1</model><cpuModel/></val>\n</propSet>' +
    '<propSet><val xsi:type="xsd:string">value before name</val><name>name</name></propSet>' +
    '<propSet><name>nameless</name></propSet>' +
    '<vim:propSet xmlns:vim="urn:vim25"><vim:name>parent</vim:name><vim:val xsi:type="ManagedObjectReference" type="ClusterComputeResource">domain-c1</vim:val></vim:propSet>' +
    '<propSet><name>name</name><val xsi:type="xsd:string">second name wins</val><val>ignored</val></propSet>' +
    '<somethingElse><x>1</x></somethingElse>' +
    '</objects>',
  // Properties the account may not read.
  '<objects><obj type="Datastore">ds-1</obj><propSet><name>name</name><val xsi:type="xsd:string">ds1</val></propSet>' +
    '<missingSet><path>summary</path><fault><fault xsi:type="NoPermission"><privilegeId>System.Read</privilegeId></fault><localizedMessage>no</localizedMessage></fault></missingSet>' +
    '<missingSet><path>vm</path><fault xsi:type="SystemError"><reason>x</reason></fault></missingSet>' +
    '</objects>',
  '<objects><obj type="Folder">group-v1</obj></objects>',
];

const answer =
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ${XSI}>` +
  '<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>' +
  objects.join('\n') +
  '<token>next-page</token></returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>';

function viaNodes(
  xml: string,
  size: number,
): { objects: ObjectContent[]; missing: MissingProperty[]; root: XNode } {
  const missing = new Map<string, MissingProperty>();
  const out: ObjectContent[] = [];
  const p = new SoapStreamParser({
    emitName: 'objects',
    emitDepth: 5,
    onEmit: (n) => out.push(parseObject(n, missing)),
  });
  for (let i = 0; i < xml.length; i += size) p.write(xml.slice(i, i + size));
  return { objects: out, missing: [...missing.values()], root: p.end() };
}

function viaBuilder(
  xml: string,
  size: number,
): { objects: ObjectContent[]; missing: MissingProperty[]; root: XNode } {
  const missing = new Map<string, MissingProperty>();
  const out: ObjectContent[] = [];
  const p = new SoapStreamParser({
    emitName: 'objects',
    emitDepth: 5,
    builder: new ObjectContentBuilder(missing, (o) => out.push(o)),
  });
  for (let i = 0; i < xml.length; i += size) p.write(xml.slice(i, i + size));
  return { objects: out, missing: [...missing.values()], root: p.end() };
}

describe('ObjectContentBuilder', () => {
  it('builds the same objects as the node tree does, however the answer is cut into chunks', () => {
    const reference = viaNodes(answer, answer.length);
    expect(reference.objects).toHaveLength(4);
    for (const size of [1, 2, 3, 5, 7, 13, 64, 1000, answer.length]) {
      const built = viaBuilder(answer, size);
      expect(built.objects, `chunks of ${size}`).toEqual(reference.objects);
      expect(built.missing, `chunks of ${size}`).toEqual(reference.missing);
      expect(built.root, `chunks of ${size}`).toEqual(reference.root);
      // The same in the node path cut the same way (the scanner's fast and general paths).
      expect(viaNodes(answer, size).objects, `chunks of ${size}`).toEqual(reference.objects);
    }
  });

  it('reads values as vMiner uses them', () => {
    const [vm, host, ds, folder] = viaBuilder(answer, 17).objects;
    expect(vm!.ref).toEqual(new MoRef('VirtualMachine', 'vm-1'));
    expect(vm!.props.get('name')).toBe('web & db \u263A');
    expect(vm!.props.get('runtime.host')).toEqual(new MoRef('HostSystem', 'host-9'));
    expect(vm!.props.get('datastore')).toEqual([new MoRef('Datastore', 'ds-1'), new MoRef('', 'ds-2')]);
    expect(vm!.props.get('network')).toEqual([]);
    expect(vm!.props.get('guest.net')).toEqual([
      { _type: 'GuestNicInfo', network: 'VM Network', ipAddress: ['10.0.0.5', 'fe80::1'], connected: 'true' },
      { ipAddress: '10.1.0.5' },
    ]);
    expect(vm!.props.get('snapshot')).toMatchObject({
      currentSnapshot: new MoRef('VirtualMachineSnapshot', 'snap-2'),
      rootSnapshotList: {
        name: 'before <upgrade>',
        childSnapshotList: { snapshot: new MoRef('VirtualMachineSnapshot', 'snap-2'), childSnapshotList: '' },
      },
    });
    expect(vm!.props.get('config.annotation')).toBe('raw <b>text</b> &amp;');
    expect(vm!.props.get('summary.storage.committed')).toBe('');
    expect(host!.props.get('summary.hardware')).toEqual({
      _type: 'HostHardwareSummary',
      vendor: 'ACME',
      model: 'M&1',
      cpuModel: '',
    });
    expect(host!.props.get('parent')).toEqual(new MoRef('ClusterComputeResource', 'domain-c1'));
    expect(host!.props.get('name')).toBe('second name wins');
    expect(host!.props.has('nameless')).toBe(false);
    expect([...ds!.props.keys()]).toEqual(['name']);
    expect(folder!.props.size).toBe(0);
    expect(viaBuilder(answer, 17).missing).toEqual([
      { objectType: 'Datastore', path: 'summary', fault: 'NoPermission' },
      { objectType: 'Datastore', path: 'vm', fault: 'SystemError' },
    ]);
  });

  it('refuses an object without a reference, as the node path does', () => {
    const bad = answer.replace('<obj type="Folder">group-v1</obj>', '');
    expect(() => viaNodes(bad, 64)).toThrow(VminerError);
    expect(() => viaBuilder(bad, 64)).toThrow(/an object in the answer has no reference/);
  });
});

describe('ObjectContentBuilder memory', () => {
  it('keeps no input chunk alive through the values, names and references it keeps', () => {
    const pad = ' '.repeat(16 * 1024);
    const { value: out, bytes } = heldBy(() => {
      const kept: ObjectContent[] = [];
      const p = new SoapStreamParser({
        emitName: 'objects',
        emitDepth: 3,
        builder: new ObjectContentBuilder(new Map(), (o) => kept.push(o)),
      });
      p.write('<E><B>');
      // Each chunk a string of its own with one object in it, then 16 kB of whitespace.
      for (let i = 0; i < 1000; i++) {
        const n = String(i).padStart(16, '0');
        p.write(
          `<objects><obj type="VirtualMachine">vm-${n}</obj>` +
            `<propSet><name>config.guestFullName</name><val ${XSI} xsi:type="xsd:string">guest name ${n}</val></propSet>` +
            `<propSet><name>runtime.host</name><val xsi:type="ManagedObjectReference" type="HostSystem">host-${n}</val></propSet>` +
            `</objects>${pad}`,
        );
      }
      p.write('</B></E>');
      p.end();
      return kept;
    });
    expect(out).toHaveLength(1000);
    expect(out[7]!.ref).toEqual(new MoRef('VirtualMachine', 'vm-0000000000000007'));
    expect(out[7]!.props.get('config.guestFullName')).toBe('guest name 0000000000000007');
    expect(out[7]!.props.get('runtime.host')).toEqual(new MoRef('HostSystem', 'host-0000000000000007'));
    // 1,000 small objects are about 1 MB; the chunks they were read from would be 16 MB or more.
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('hands out one reference object per type and value', () => {
    const out: ObjectContent[] = [];
    const p = new SoapStreamParser({
      emitName: 'objects',
      emitDepth: 3,
      builder: new ObjectContentBuilder(new Map(), (o) => out.push(o)),
    });
    const vm = (i: number): string =>
      `<objects><obj type="VirtualMachine">vm-${i}</obj><propSet><name>runtime.host</name>` +
      `<val xsi:type="ManagedObjectReference" type="HostSystem">host-1</val></propSet></objects>`;
    p.write(`<E><B>${vm(1)}${vm(2)}</B></E>`);
    p.end();
    expect(out[0]!.props.get('runtime.host')).toBe(out[1]!.props.get('runtime.host'));
    expect(out[0]!.ref).not.toBe(out[1]!.ref);
  });
});
