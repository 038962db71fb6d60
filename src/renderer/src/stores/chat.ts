import { create } from 'zustand';
import type { Answer } from '../../../shared/query.js';
import type { Filter } from '../../../shared/query.js';
import { api } from '../api/client.js';
import { fromChips } from '../lib/filters.js';

export interface ChatMessage {
  id: number;
  question: string;
  answer?: Answer;
  error?: string;
  pending: boolean;
  /** Set when the user removed chips: the answer's rows were re-read with this filter. */
  edited?: boolean;
}

export interface Conversation {
  /** The engine's conversation id (follow-ups refine the previous answer). */
  id: string | null;
  title: string;
  messages: ChatMessage[];
}

interface ChatState {
  conversations: Conversation[];
  active: number;
  /** Questions asked, newest last, for ↑ recall. */
  history: string[];
  ask: (question: string) => Promise<void>;
  newConversation: () => void;
  select: (i: number) => void;
  removeChip: (messageId: number, chip: Filter) => Promise<void>;
}

let nextId = 1;
const fresh = (): Conversation => ({ id: null, title: 'New conversation', messages: [] });

/** Chat state: conversations with their questions and answers (answers hold one page of rows). */
export const useChat = create<ChatState>()((set, get) => {
  const update = (convIndex: number, id: number, patch: Partial<ChatMessage>): void => {
    const conversations = [...get().conversations];
    const c = conversations[convIndex];
    if (!c) return;
    conversations[convIndex] = {
      ...c,
      messages: c.messages.map((m) => (m.id === id ? { ...m, ...patch } : m)),
    };
    set({ conversations });
  };

  return {
    conversations: [fresh()],
    active: 0,
    history: [],
    ask: async (question) => {
      const q = question.trim();
      if (!q) return;
      const ci = get().active;
      const conv = get().conversations[ci]!;
      const id = nextId++;
      const conversations = [...get().conversations];
      conversations[ci] = {
        ...conv,
        title: conv.messages.length === 0 ? q.slice(0, 60) : conv.title,
        messages: [...conv.messages, { id, question: q, pending: true }],
      };
      set({ conversations, history: [...get().history.filter((h) => h !== q), q].slice(-100) });
      try {
        const answer = await api.call('query.ask', {
          question: q,
          ...(conv.id ? { conversationId: conv.id } : {}),
        });
        const cs = [...get().conversations];
        cs[ci] = { ...cs[ci]!, id: answer.conversationId };
        set({ conversations: cs });
        update(ci, id, { answer, pending: false });
      } catch (e) {
        update(ci, id, { error: (e as Error).message, pending: false });
      }
    },
    newConversation: () => {
      const cur = get().conversations[get().active];
      if (cur && cur.messages.length === 0) return;
      set({ conversations: [...get().conversations, fresh()], active: get().conversations.length });
    },
    select: (i) => set({ active: i }),
    removeChip: async (messageId, chip) => {
      const ci = get().active;
      const msg = get().conversations[ci]?.messages.find((m) => m.id === messageId);
      const a = msg?.answer;
      if (!a?.plan) return;
      const parts = a.plan.filter
        ? a.plan.filter.kind === 'and'
          ? a.plan.filter.filters
          : [a.plan.filter]
        : [];
      const filter = fromChips(parts.filter((p) => p !== chip));
      const plan = { ...a.plan };
      if (filter) plan.filter = filter;
      else delete plan.filter;
      try {
        const page = await api.call('inventory.list', {
          entity: plan.entity,
          limit: Math.max(a.rows.length, 50),
          ...(filter ? { filter } : {}),
          ...(plan.sort ? { sort: plan.sort } : {}),
        });
        update(ci, messageId, {
          edited: true,
          answer:
            a.kind === 'count'
              ? { ...a, plan, value: page.total, total: page.total }
              : { ...a, plan, rows: page.items, total: page.total, kind: 'rows' },
        });
      } catch (e) {
        update(ci, messageId, { error: (e as Error).message });
      }
    },
  };
});
