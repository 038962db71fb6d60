/** Self-time summary of a V8 `.cpuprofile` (as written by `node --cpu-prof`). */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number; // 0-based
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  name: string;
  where: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: SelfTimeRow[];
  modules: SelfTimeRow[];
}

function isProfile(v: unknown): v is CpuProfile {
  return typeof v === 'object' && v !== null && Array.isArray((v as { nodes?: unknown }).nodes);
}

/**
 * `moduleAt` maps a line of the bundled worker back to its source module. Time is attributed to
 * the sample that follows each delta (the DevTools convention).
 */
export function summarizeProfile(
  file: string,
  root: string,
  bundleFile: string,
  moduleAt: (line: number) => string | undefined,
  top = 15,
): ProfileSummary {
  const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!isProfile(raw)) throw new Error(`${file} is not a V8 CPU profile`);
  const byId = new Map(raw.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = raw.samples ?? [];
  const deltas = raw.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const next = deltas[i + 1] ?? 0;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + next);
  }
  const totalUs = raw.endTime - raw.startTime;
  const bundleUrl = `file://${bundleFile}`;

  const locate = (cf: CallFrame): { where: string; module: string } => {
    if (cf.url === bundleUrl) {
      const mod = moduleAt(cf.lineNumber + 1) ?? 'bench bundle';
      return { where: `${mod} (bundle:${cf.lineNumber + 1})`, module: mod };
    }
    if (cf.url === '') return { where: '', module: cf.functionName || '(native)' };
    let p = cf.url.startsWith('file://') ? cf.url.slice('file://'.length) : cf.url;
    if (p.startsWith(root)) p = path.relative(root, p);
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
    const module = nm ? nm[1]! : p.startsWith('node:') ? 'node: internals' : p;
    return { where: `${p}:${cf.lineNumber + 1}`, module };
  };

  const fnTotals = new Map<string, SelfTimeRow>();
  const modTotals = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const cf = node.callFrame;
    const { where, module } = locate(cf);
    const name = cf.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const row = fnTotals.get(key) ?? { name, where, ms: 0, pct: 0 };
    row.ms += us / 1000;
    fnTotals.set(key, row);
    modTotals.set(module, (modTotals.get(module) ?? 0) + us / 1000);
  }
  const totalMs = totalUs / 1000;
  const finish = (rows: SelfTimeRow[]): SelfTimeRow[] =>
    rows
      .map((r) => ({ ...r, ms: Math.round(r.ms), pct: Math.round((r.ms / totalMs) * 1000) / 10 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return {
    totalMs: Math.round(totalMs),
    functions: finish([...fnTotals.values()]),
    modules: finish([...modTotals].map(([name, ms]) => ({ name, where: '', ms, pct: 0 }))),
  };
}
