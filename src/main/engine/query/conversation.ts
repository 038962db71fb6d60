import fs from 'node:fs';
import path from 'node:path';
import type { QueryPlan } from '../../../shared/query.js';

export interface ConversationState {
  plan: QueryPlan;
  updatedAt: number;
}

export interface ConversationStore {
  get(id: string): ConversationState | undefined;
  set(id: string, state: ConversationState): void;
}

/** In the engine: a bounded map, least recently used dropped first. */
export class MemoryConversations implements ConversationStore {
  private readonly map = new Map<string, ConversationState>();
  constructor(private readonly max = 500) {}
  get(id: string): ConversationState | undefined {
    const s = this.map.get(id);
    if (s) {
      this.map.delete(id);
      this.map.set(id, s);
    }
    return s;
  }
  set(id: string, state: ConversationState): void {
    this.map.delete(id);
    this.map.set(id, state);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/** For the one-shot CLI (`vminer ask --conversation ID`): a small JSON file beside the cache. */
export class FileConversations implements ConversationStore {
  private readonly file: string;
  constructor(
    dataDir: string,
    private readonly max = 100,
  ) {
    this.file = path.join(dataDir, 'conversations.json');
  }
  private read(): Record<string, ConversationState> {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, ConversationState>;
    } catch {
      return {};
    }
  }
  get(id: string): ConversationState | undefined {
    return this.read()[id];
  }
  set(id: string, state: ConversationState): void {
    const all = this.read();
    all[id] = state;
    const kept = Object.entries(all)
      .sort((a, b) => b[1].updatedAt - a[1].updatedAt)
      .slice(0, this.max);
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(kept)), { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch {
      /* a read-only or full disk loses the follow-up context, never the answer */
    }
  }
}
