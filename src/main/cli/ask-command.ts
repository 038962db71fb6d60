import type { Command } from 'commander';
import type { Answer } from '../../shared/query.js';
import { fieldDef } from '../../shared/fields.js';
import { openDatabase } from '../engine/db/database.js';
import { FileConversations } from '../engine/query/conversation.js';
import { formatValue } from '../../shared/describe.js';
import { freshnessText } from '../../shared/freshness-text.js';
import { QueryService } from '../engine/query/query-service.js';
import { dataDirOf, withDataDir, withJson, type CommonOptions } from './common.js';
import { printJson, printTable } from './output.js';

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

export function registerAskCommand(program: Command): void {
  withJson(withDataDir(program.command('ask <question...>')))
    .description(
      'ask the cached inventory a question in plain English, e.g. vminer ask "powered off vms in cluster Prod"',
    )
    .option('--conversation <id>', 'continue a conversation (follow-ups such as "only the windows ones")')
    .action((words: string[], opts: AskOptions) => {
      const dataDir = dataDirOf(opts);
      const db = openDatabase(dataDir, { readonly: true });
      try {
        const engine = new QueryService({ sqlite: db.sqlite, conversations: new FileConversations(dataDir) });
        const answer = engine.ask({ question: words.join(' '), conversationId: opts.conversation });
        if (opts.json) printJson(answer);
        else printAnswer(answer);
        // Exit 3 when nothing was answered: not understood, asked back, or a refused change.
        if (!answer.understood || answer.kind === 'refused') process.exitCode = 3;
      } finally {
        db.close();
      }
    });
}
