import { useEffect, useRef, useState } from 'react';
import { NAMES_SHOWN } from '../../../shared/freshness-text.js';
import { entityLabel, fieldDef, type QueryEntity } from '../../../shared/fields.js';
import type { Answer } from '../../../shared/query.js';
import { api } from '../api/client.js';
import { ExportButtons } from '../components/ExportButtons.js';
import { chipsOf } from '../lib/filters.js';
import { ago, formatCell } from '../lib/format.js';
import { useChat, type ChatMessage } from '../stores/chat.js';
import { useGrids } from '../stores/grids.js';
import { isGridView, useNav } from '../stores/nav.js';

/** Example questions that work on the inventory at hand: names come from it, not from a brochure. */
function useExamples(): string[] {
  const [cluster, setCluster] = useState<string | null>(null);
  useEffect(() => {
    api
      .call('inventory.list', { entity: 'clusters', limit: 1, sort: [{ field: 'vmCount', dir: 'desc' }] })
      .then((r) =>
        setCluster(typeof r.items[0]?.['name'] === 'string' ? (r.items[0]['name'] as string) : null),
      )
      .catch(() => undefined);
  }, []);
  return [
    'how many vms are powered off',
    cluster ? `vms with more than 8 vcpus in cluster ${cluster}` : 'vms with more than 8 vcpus',
    'hosts in maintenance mode',
    'datastores with less than 10% free',
    'vms by power state',
    'snapshots older than 30 days',
  ];
}

function label(entity: QueryEntity, field: string): string {
  return fieldDef(entity, field)?.label ?? field;
}

function RowsTable({ entity, a }: { entity: QueryEntity; a: Answer }): React.JSX.Element {
  const cols = a.columns.length ? a.columns : Object.keys(a.rows[0] ?? {});
  return (
    <div className="answer-table-wrap" tabIndex={0} role="region" aria-label="Answer rows">
      <table className="answer-table">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c}>{label(entity, c)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {a.rows.map((r, i) => (
            <tr key={i}>
              {cols.map((c) => {
                const text = formatCell(entity, c, r[c]);
                return (
                  <td
                    key={c}
                    className={typeof r[c] === 'number' ? 'num' : ''}
                    title={text.length > 20 ? text : undefined}
                  >
                    {text}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Groups({ entity, a }: { entity: QueryEntity; a: Answer }): React.JSX.Element {
  const key = a.columns[0] ?? 'key';
  const max = Math.max(1, ...a.rows.map((r) => Number(r['value']) || 0));
  return (
    <table className="groups" data-testid="answer-groups">
      <tbody>
        {a.rows.map((r, i) => {
          const v = Number(r['value']) || 0;
          return (
            <tr key={i}>
              <th>{formatCell(entity, key, r[key]) || '(none)'}</th>
              <td className="bar-cell">
                <span className="bar" style={{ width: `${(v / max) * 100}%` }} />
              </td>
              <td className="num">{v.toLocaleString()}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function AnswerView({ m }: { m: ChatMessage }): React.JSX.Element {
  const a = m.answer!;
  const ask = useChat((s) => s.ask);
  const removeChip = useChat((s) => s.removeChip);
  const patchGrid = useGrids((s) => s.patch);
  const go = useNav((s) => s.go);
  const entity = a.plan?.entity ?? 'vms';
  const chips = a.plan ? chipsOf(entity, a.plan.filter) : [];
  const canGrid =
    a.plan && isGridView(a.plan.entity as never) && ['rows', 'count', 'export'].includes(a.kind);
  const openInGrid = (): void => {
    if (!a.plan) return;
    const parts = a.plan.filter
      ? a.plan.filter.kind === 'and'
        ? a.plan.filter.filters
        : [a.plan.filter]
      : [];
    patchGrid(a.plan.entity, {
      chips: parts,
      quick: '',
      columnFilters: {},
      ...(a.plan.sort ? { sort: a.plan.sort } : {}),
    });
    go(a.plan.entity as never);
  };
  const stale = [...a.freshness.failedVcenters, ...a.freshness.staleVcenters];
  return (
    <div className={`answer kind-${a.kind}`} data-kind={a.kind}>
      {a.correctedQuestion && (
        <p className="corrected">
          Showing results for <em>{a.correctedQuestion}</em>
        </p>
      )}
      {a.interpretation && <p className="interpretation">{a.interpretation}</p>}
      {chips.length > 0 && (
        <div className="chips">
          {chips.map((c, i) => (
            <span key={i} className="chip">
              {c.label}
              <button aria-label={`Remove filter ${c.label}`} onClick={() => void removeChip(m.id, c.filter)}>
                ✕
              </button>
            </span>
          ))}
          {m.edited && <span className="muted">(filters edited)</span>}
        </div>
      )}
      {(a.kind === 'count' || a.kind === 'value') && (
        <p className="big-number" data-testid="big-number">
          {a.value === null || a.value === undefined
            ? '—'
            : formatCell(entity, a.plan?.aggregate?.field ?? '', a.value)}
          {a.kind === 'count' && (
            <span className="unit"> {entityLabel(entity, a.value === 1 ? false : true)}</span>
          )}
        </p>
      )}
      {(a.kind === 'rows' || a.kind === 'find') && (
        <>
          <p className="muted">
            {a.total === 0
              ? 'No matches.'
              : a.rows.length < a.total
                ? `Showing ${a.rows.length.toLocaleString()} of ${a.total.toLocaleString()}`
                : `${a.total.toLocaleString()} ${a.total === 1 ? 'match' : 'matches'}`}
          </p>
          {a.rows.length > 0 && <RowsTable entity={a.kind === 'find' ? 'vms' : entity} a={a} />}
        </>
      )}
      {a.kind === 'groups' && <Groups entity={entity} a={a} />}
      {a.message && (
        <p className={['refused', 'not_understood'].includes(a.kind) ? 'error' : ''}>{a.message}</p>
      )}
      {a.suggestions && a.suggestions.length > 0 && (
        <div className="suggestions">
          {a.suggestions.map((s) => (
            <button key={s} className="suggestion" onClick={() => void ask(s)}>
              {s}
            </button>
          ))}
        </div>
      )}
      {a.plan && !['clarify', 'refused', 'not_understood'].includes(a.kind) && (
        <div className="answer-actions">
          {canGrid && <button onClick={openInGrid}>Open in grid</button>}
          <ExportButtons
            compact
            spec={() => ({
              entity: a.plan!.entity,
              ...(a.plan!.filter ? { filters: a.plan!.filter } : {}),
              ...(a.plan!.sort ? { sort: a.plan!.sort } : {}),
              ...(a.kind === 'rows' && a.columns.length ? { columns: a.columns } : {}),
              suggestedName: `vminer-${a.plan!.entity}`,
            })}
          />
        </div>
      )}
      {stale.length > 0 && (
        <p className="warning">
          Data may be incomplete:{' '}
          {stale.length > NAMES_SHOWN
            ? `${stale.length.toLocaleString('en')} vCenters have no recent good sync (first ${NAMES_SHOWN}: ${stale.slice(0, NAMES_SHOWN).join(', ')}, …)`
            : `${stale.join(', ')} ${stale.length === 1 ? 'has' : 'have'} no recent good sync`}
          (as of {ago(a.freshness.asOf)}).
        </p>
      )}
    </div>
  );
}

/** Questions in plain English, answered from the cache. Enter asks, ↑ recalls. */
export function ChatPage(): React.JSX.Element {
  const { conversations, active, history, ask, newConversation, select } = useChat();
  const conv = conversations[active]!;
  const [text, setText] = useState('');
  const [recall, setRecall] = useState<number | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const examples = useExamples();
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    void end.current?.scrollIntoView({ block: 'end' });
  }, [conv.messages]);
  useEffect(() => {
    input.current?.focus();
  }, [active]);

  const submit = (): void => {
    const q = text.trim();
    if (!q) return;
    setText('');
    setRecall(null);
    void ask(q);
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit();
    } else if (e.key === 'ArrowUp' && (text === '' || recall !== null) && history.length > 0) {
      e.preventDefault();
      const i = recall === null ? history.length - 1 : Math.max(0, recall - 1);
      setRecall(i);
      setText(history[i]!);
    } else if (e.key === 'ArrowDown' && recall !== null) {
      e.preventDefault();
      const i = recall + 1;
      if (i >= history.length) {
        setRecall(null);
        setText('');
      } else {
        setRecall(i);
        setText(history[i]!);
      }
    }
  };

  return (
    <section className="page chat">
      <h1 className="sr-only">Chat</h1>
      <aside className="conversations" aria-label="Conversations">
        <button onClick={newConversation}>+ New conversation</button>
        <ul>
          {conversations.map((c, i) => (
            <li key={i}>
              <button className={i === active ? 'active' : 'ghost'} onClick={() => select(i)}>
                {c.title}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <div className="chat-main">
        <div className="messages" aria-live="polite">
          {conv.messages.length === 0 && (
            <div className="chat-empty">
              <h2>Ask about your estate</h2>
              <p className="muted">Plain English, answered from the local cache in milliseconds. Try:</p>
              <div className="suggestions">
                {examples.map((q) => (
                  <button key={q} className="suggestion" onClick={() => void ask(q)}>
                    {q}
                  </button>
                ))}
              </div>
            </div>
          )}
          {conv.messages.map((m) => (
            <div key={m.id} className="exchange" data-testid="exchange">
              <p className="question">{m.question}</p>
              {m.pending && <p className="muted">Thinking…</p>}
              {m.error && <p className="error">{m.error}</p>}
              {m.answer && <AnswerView m={m} />}
            </div>
          ))}
          <div ref={end} />
        </div>
        <form
          className="ask"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <textarea
            ref={input}
            rows={1}
            value={text}
            aria-label="Question"
            placeholder="Ask a question — e.g. powered off vms in cluster Production (Enter to ask, ↑ for the last one)"
            onChange={(e) => {
              setText(e.target.value);
              setRecall(null);
            }}
            onKeyDown={onKeyDown}
          />
          <button type="submit" disabled={!text.trim()}>
            Ask
          </button>
        </form>
      </div>
    </section>
  );
}
