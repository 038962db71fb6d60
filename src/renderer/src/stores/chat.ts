import { create } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { describePlan } from '../../../shared/describe.js';
import type { Answer } from '../../../shared/query.js';
import type { Filter } from '../../../shared/query.js';
import { api, currentUser } from '../api/client.js';
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

/** What a reload keeps: the last conversations, each answer with its first rows. */
const KEEP_CONVERSATIONS = 30;
const KEEP_ROWS = 50;

/** localStorage that never throws: a full or blocked storage only means the history is not kept. */
const safeStorage: StateStorage = {
  getItem: (k) => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  setItem: (k, v) => {
    try {
      localStorage.setItem(k, v);
    } catch {
      // quota exceeded: keep going without saving
    }
  },
  removeItem: (k) => {
    try {
      localStorage.removeItem(k);
    } catch {
      // ignore
    }
  },
};

/** Chat state: conversations with their questions and answers (answers hold one page of rows). */
export const useChat = create<ChatState>()(
  persist(
    (set, get) => {
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
            // The summary line says what the answer now shows, not what was first asked.
            const interpretation = describePlan(plan);
            update(ci, messageId, {
              edited: true,
              answer:
                a.kind === 'count'
                  ? { ...a, plan, interpretation, value: page.total, total: page.total }
                  : { ...a, plan, interpretation, rows: page.items, total: page.total, kind: 'rows' },
            });
          } catch (e) {
            update(ci, messageId, { error: (e as Error).message });
          }
        },
      };
    },
    {
      name: 'vminer.chat',
      storage: createJSONStorage(() => safeStorage),
      partialize: (s) => ({
        owner: currentUser().name,
        active: s.active,
        history: s.history,
        conversations: s.conversations.slice(-KEEP_CONVERSATIONS).map((c) => ({
          ...c,
          messages: c.messages
            .filter((m) => !m.pending)
            .map((m) =>
              m.answer ? { ...m, answer: { ...m.answer, rows: m.answer.rows.slice(0, KEEP_ROWS) } } : m,
            ),
        })),
      }),
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as Partial<Pick<ChatState, 'conversations' | 'active' | 'history'>> & {
          owner?: string;
        };
        // Another account's conversations stay theirs (one browser, two users).
        if (p.owner !== currentUser().name)
          return { ...current, conversations: [fresh()], active: 0, history: [] };
        const conversations =
          Array.isArray(p.conversations) && p.conversations.length > 0
            ? p.conversations
            : current.conversations;
        // Ids of new questions continue after the kept ones.
        for (const c of conversations) for (const m of c.messages) nextId = Math.max(nextId, m.id + 1);
        return {
          ...current,
          conversations,
          active: Math.min(Math.max(0, p.active ?? 0), conversations.length - 1),
          history: Array.isArray(p.history) ? p.history : [],
        };
      },
    },
  ),
);
