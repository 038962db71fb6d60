/**
 * Snapshot sizes as RVTools' vSnapshot shows them, from a VM's `layoutEx`: "Size MiB (vmsn)" is
 * the snapshot's .vmsn file; "Size MiB (total)" adds its memory file (.vmem) and the delta disks
 * made on top of it (the changes written since the snapshot was taken).
 *
 * `layoutEx` is read only for VMs with snapshots, in a call of its own (never streamed by the live
 * filter: file sizes grow all the time), on every full read and, in live mode, when a VM's
 * snapshot tree changes.
 */
import { retrieveRefs } from './property-collector.js';
import type { SoapClient } from './soap-client.js';
import { asArray, num, obj, ref, str } from './xvalue.js';
import type { MoRef, XValue } from './xml.js';

export interface SnapshotSize {
  vmsnBytes: number | null;
  totalBytes: number | null;
}

export const LAYOUT_PATHS = ['layoutEx.file', 'layoutEx.snapshot', 'layoutEx.disk'];

/** Per virtual disk (by key): its chain, each unit's file keys joined. */
function chains(disks: XValue | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of asArray(disks)) {
    const disk = obj(d);
    const key = str(disk?.['key']);
    if (!disk || key === null) continue;
    out.set(
      key,
      asArray(disk['chain']).map((u) =>
        asArray(obj(u)?.['fileKey'])
          .map((k) => str(k) ?? '')
          .join(','),
      ),
    );
  }
  return out;
}

/**
 * Sizes per snapshot moid from `layoutEx.file`, `layoutEx.snapshot` and `layoutEx.disk` (the
 * running disk chains). A snapshot's delta disks are the chain units right after its own chain's
 * end in the chains that extend it: its child snapshots' and, for the newest, the running VM's.
 */
export function snapshotSizes(
  files: XValue | undefined,
  snapshots: XValue | undefined,
  running: XValue | undefined,
): Map<string, SnapshotSize> {
  const size = new Map<string, number>();
  for (const f of asArray(files)) {
    const file = obj(f);
    const key = str(file?.['key']);
    const bytes = num(file?.['size']);
    if (key !== null && bytes !== null) size.set(key, bytes);
  }
  const snaps = asArray(snapshots).flatMap((s) => {
    const o = obj(s);
    const moid = ref(o?.['key'])?.value;
    return o && moid ? [{ moid, o, chains: chains(o['disk']) }] : [];
  });
  const states = [...snaps.map((s) => s.chains), chains(running)];
  const out = new Map<string, SnapshotSize>();
  for (const s of snaps) {
    const vmsn = size.get(str(s.o['dataKey']) ?? '') ?? null;
    if (vmsn === null) {
      out.set(s.moid, { vmsnBytes: null, totalBytes: null });
      continue;
    }
    const memoryKey = str(s.o['memoryKey']);
    let total = vmsn + (memoryKey !== null ? (size.get(memoryKey) ?? 0) : 0);
    const deltas = new Set<string>();
    for (const [disk, chain] of s.chains) {
      for (const state of states) {
        const other = state.get(disk);
        if (!other || other === chain || other.length <= chain.length) continue;
        if (chain.every((unit, i) => other[i] === unit)) deltas.add(other[chain.length]!);
      }
    }
    for (const unit of deltas) for (const k of unit.split(',')) total += size.get(k) ?? 0;
    out.set(s.moid, { vmsnBytes: vmsn, totalBytes: total });
  }
  return out;
}

/**
 * Reads the snapshot sizes of these VMs (VM moid → snapshot moid → sizes), 200 VMs per call. The
 * sizes are extra: a vCenter that refuses the call leaves them unknown (null), never fails a sync.
 */
export async function readSnapshotSizes(
  client: SoapClient,
  vms: MoRef[],
  signal?: AbortSignal,
): Promise<Map<string, Map<string, SnapshotSize>>> {
  const out = new Map<string, Map<string, SnapshotSize>>();
  try {
    // Objects built as they are parsed (no node tree); a VM deleted meanwhile is simply not there.
    await retrieveRefs(
      client,
      vms,
      { VirtualMachine: LAYOUT_PATHS },
      (o) =>
        out.set(
          o.ref.value,
          snapshotSizes(
            o.props.get('layoutEx.file'),
            o.props.get('layoutEx.snapshot'),
            o.props.get('layoutEx.disk'),
          ),
        ),
      { perCall: 200, ...(signal ? { signal } : {}) },
    );
  } catch (err) {
    if (signal?.aborted) throw err;
  }
  return out;
}
