import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { VminerError } from '../../../shared/errors.js';
import { FIELDS, QUERY_ENTITIES, type QueryEntity } from '../../../shared/fields.js';
import { FilterSchema, type QueryPlan } from '../../../shared/query.js';
import type { Engine } from '../engine.js';
import { exportFull, exportRows } from '../export/exporter.js';
import type { ExportFormat } from '../export/table.js';
import type { RouteContext } from './server.js';

export const ExportBodySchema = z.object({
  entity: z.enum(QUERY_ENTITIES as [QueryEntity, ...QueryEntity[]]).optional(),
  /** A query-plan filter (the same language as lists and questions). */
  filters: FilterSchema.optional(),
  /** Or a question: "powered off vms in cluster Prod". */
  query: z.string().min(1).max(2000).optional(),
  columns: z.array(z.string().max(64)).max(200).optional(),
  sort: z
    .array(z.object({ field: z.string().max(64), dir: z.enum(['asc', 'desc']) }))
    .max(4)
    .optional(),
  bom: z.boolean().optional(),
});

const FORMATS: Record<string, { format: ExportFormat; type: string; ext: string }> = {
  csv: { format: 'csv', type: 'text/csv; charset=utf-8', ext: 'csv' },
  json: { format: 'json', type: 'application/json; charset=utf-8', ext: 'json' },
  excel: {
    format: 'xlsx',
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ext: 'xlsx',
  },
};

/** `POST /api/export/csv|json|excel`: a streamed download of a plan's rows, or of everything. */
export function registerExportRoutes(app: FastifyInstance, engine: Engine, ctx: RouteContext): void {
  const schema = z.toJSONSchema(ExportBodySchema, { target: 'openapi-3.0', io: 'input' }) as Record<
    string,
    unknown
  >;
  for (const [route, f] of Object.entries(FORMATS)) {
    app.post(
      `/api/export/${route}`,
      {
        schema: {
          summary: `Download ${route === 'excel' ? 'an Excel workbook' : route.toUpperCase()}: {entity, filters?} or {query}; neither = the whole estate${route === 'csv' ? ' (needs an entity)' : ''}`,
          tags: ['export'],
          body: schema,
        },
      },
      async (req, reply) => {
        ctx.user(req);
        const b = ExportBodySchema.parse(req.body ?? {});
        let plan: QueryPlan | undefined;
        let interpretation: string | undefined;
        if (b.query) {
          const parsed = engine.query.parse(b.query);
          if (parsed.problem || !parsed.plan) {
            throw new VminerError(
              'INVALID_INPUT',
              parsed.problem?.message ?? `not understood as a list: "${b.query}"`,
            );
          }
          plan = { ...parsed.plan };
          delete plan.aggregate;
          delete plan.groupBy;
          interpretation = b.query;
        } else if (b.entity) {
          plan = { entity: b.entity };
          if (b.filters) plan.filter = b.filters;
        } else if (b.filters) {
          throw new VminerError('INVALID_INPUT', 'filters need an entity');
        }
        if (plan && b.sort) plan.sort = b.sort;
        if (plan && b.columns) {
          const bad = b.columns.filter((c) => !(c in FIELDS[plan!.entity]));
          if (bad.length)
            throw new VminerError('INVALID_INPUT', `unknown columns for ${plan.entity}: ${bad.join(', ')}`);
        }
        if (!plan && f.format === 'csv')
          throw new VminerError('INVALID_INPUT', 'a CSV export needs an entity or a query');
        const stamp = new Date().toISOString().slice(0, 10);
        const name = `vminer-${plan ? plan.entity : 'estate'}-${stamp}.${f.ext}`;
        const freshness = engine.query.freshness(plan);
        reply.hijack();
        // CSV has no room for metadata inside the rows; downloads carry it in headers too.
        reply.raw.writeHead(200, {
          'Content-Type': f.type,
          'Content-Disposition': `attachment; filename="${name}"`,
          'X-Vminer-As-Of': freshness.asOf ?? 'never',
          'X-Vminer-Failed-Vcenters': freshness.failedVcenters.join(',') || '-',
          'X-Vminer-Stale-Vcenters': freshness.staleVcenters.join(',') || '-',
        });
        try {
          if (plan) {
            await exportRows({
              sqlite: engine.database.sqlite,
              plan,
              columns: b.columns,
              format: f.format,
              out: reply.raw,
              bom: b.bom,
              freshness,
              ...(interpretation ? { question: interpretation } : {}),
            });
          } else {
            await exportFull({
              sqlite: engine.database.sqlite,
              db: engine.database.db,
              format: f.format as 'xlsx' | 'json',
              out: reply.raw,
              freshness,
            });
          }
        } catch {
          // Headers are gone: cut the transfer so the client sees it incomplete, never a "complete" half file.
          reply.raw.destroy();
        }
      },
    );
  }
}
