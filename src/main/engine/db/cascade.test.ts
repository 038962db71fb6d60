import { describe, expect, it } from 'vitest';
import { Cascade } from './cascade.js';
import * as schema from './schema.js';
import { shapeOf } from './table-shape.js';

/** A row of values in the table's column order, from the given properties (others null). */
function row(table: Parameters<typeof shapeOf>[0], props: Record<string, unknown>): unknown[] {
  return shapeOf(table).props.map((p) => props[p] ?? null);
}

describe('Cascade (what ON DELETE CASCADE removes, in memory)', () => {
  it("drops a deleted VM's disks of the same vCenter only, and nothing without a deletion", () => {
    const disks = [
      row(schema.vmDisks, { vcenterId: 1, moid: 'd1', vmMoid: 'vm-1' }),
      row(schema.vmDisks, { vcenterId: 1, moid: 'd2', vmMoid: 'vm-2' }),
      row(schema.vmDisks, { vcenterId: 2, moid: 'd3', vmMoid: 'vm-1' }),
    ];
    const c = new Cascade();
    expect(c.surviving(schema.vmDisks, disks)).toEqual(disks);
    c.removed(schema.vms, [row(schema.vms, { vcenterId: 1, moid: 'vm-1' })]);
    expect(c.surviving(schema.vmDisks, disks)).toEqual([disks[1], disks[2]]);
    // Hosts' children are not a VM's.
    const pnic = row(schema.hostNics, { vcenterId: 1, hostMoid: 'vm-1', device: 'vmnic0' });
    expect(c.surviving(schema.hostNics, [pnic])).toEqual([pnic]);
  });

  it('follows chains: a category takes its tags, and they their assignments', () => {
    const c = new Cascade();
    c.removed(schema.tagCategories, [row(schema.tagCategories, { vcenterId: 1, id: 'cat-1' })]);
    const tags = [
      row(schema.tagDefs, { vcenterId: 1, id: 'tag-1', categoryId: 'cat-1' }),
      row(schema.tagDefs, { vcenterId: 1, id: 'tag-2', categoryId: 'cat-2' }),
    ];
    expect(c.surviving(schema.tagDefs, tags)).toEqual([tags[1]]);
    const assignments = [
      row(schema.tagAssignments, { vcenterId: 1, moid: 'vm-1/tag-1', tagId: 'tag-1', objectMoid: 'vm-1' }),
      row(schema.tagAssignments, { vcenterId: 1, moid: 'vm-1/tag-2', tagId: 'tag-2', objectMoid: 'vm-1' }),
    ];
    expect(c.surviving(schema.tagAssignments, assignments)).toEqual([assignments[1]]);
  });
});
