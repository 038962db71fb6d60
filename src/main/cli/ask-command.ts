import type { Answer } from '../../shared/query.js';
import { fieldDef } from '../../shared/fields.js';
import { FileConversations } from '../engine/query/conversation.js';
import { formatValue } from '../../shared/describe.js';
import { freshnessText } from '../../shared/freshness-text.js';
import { QueryService } from '../engine/query/query-service.js';
import { EXIT } from './exit-codes.js';
import type { CommonOptions } from './options.js';
import { printJson, printTable } from './output.js';
import { withDatabase } from './session.js';

interface AskOptions extends CommonOptions {
  conversation?: string;
}

function printAnswer(a: Answer): void {
  const out = process.stdout;
  if (a.correctedQuestion) out.write(`Showing results for: ${a.correctedQuestion}\n`);
  out.write(`Understood: ${a.interpretation}\n`);
  if (!a.understood && a.unknownWords?.length) out.write(`Not understood: ${a.unknownWords.join(', ')}\n`);
  if (a.message) out.write(`${a.message}\n`);
  if (a.suggestions?.length) out.write(a.suggestions.map((s) => `  • ${s}`).join('\n') + '\n');
  if (a.kind === 'count' || a.kind === 'value') {
    const field = a.plan?.aggregate?.field;
    const v = a.value ?? null;
    out.write(
      `\n${v === null ? 'no value' : a.plan && field && fieldDef(a.plan.entity, field) ? formatValue(a.plan.entity, field, v) : v}\n`,
    );
  } else if (a.rows.length > 0) {
    out.write('\n');
    const entity = a.plan?.entity;
    const shown = a.rows.map((r) =>
      Object.fromEntries(
        a.columns.map((c) => {
          const v = r[c];
          const def = entity ? fieldDef(entity, c) : undefined;
          return [
            c,
            typeof v === 'number' && def?.unit && def.unit !== 'percent' ? formatValue(entity!, c, v) : v,
          ];
        }),
      ),
    );
    printTable(shown, a.columns);
    if (a.total > a.rows.length)
      out.write(`… ${a.total - a.rows.length} more (use --json or \`vminer export\`)\n`);
    else out.write(`${a.total} row${a.total === 1 ? '' : 's'}\n`);
  }
  out.write(`\n${freshnessText(a.freshness)} · conversation ${a.conversationId}\n`);
}

/** `vminer ask`: a question in plain English, answered from the cache (read-only, beside any engine). */
export async function ask(words: string[], opts: AskOptions): Promise<void> {
  await withDatabase(opts, (db, dataDir) => {
    const engine = new QueryService({ sqlite: db.sqlite, conversations: new FileConversations(dataDir) });
    const answer = engine.ask({ question: words.join(' '), conversationId: opts.conversation });
    if (opts.json) printJson(answer);
    else printAnswer(answer);
    // Exit 3 when nothing was answered: not understood, asked back, or a refused change.
    if (!answer.understood || answer.kind === 'refused') process.exitCode = EXIT.notAnswered;
  });
}
