import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ExportRequestSchema } from '../../../shared/contract.js';
import { VminerError } from '../../../shared/errors.js';
import type { ServingEngine } from '../serving-engine.js';
import { exportFull, exportRows } from '../export/exporter.js';
import { exportRvtools } from '../export/rvtools/rvtools-export.js';
import type { ExportFormat } from '../export/table.js';
import type { RouteContext } from './server.js';

/** The download body: the contract's export request (also used by `export.toFile`). */
export const ExportBodySchema = ExportRequestSchema;

const FORMATS: Record<string, { format: ExportFormat; type: string; ext: string }> = {
  csv: { format: 'csv', type: 'text/csv; charset=utf-8', ext: 'csv' },
  json: { format: 'json', type: 'application/json; charset=utf-8', ext: 'json' },
  excel: {
    format: 'xlsx',
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ext: 'xlsx',
  },
};

/**
 * vCenter names in a header: each percent-encoded as UTF-8 (RFC 3986, as RFC 8187 does for
 * parameters), comma-separated, `-` for none. A header carries Latin-1 at most: a raw "vc-zürich"
 * or "vc-東京" would make Node refuse the whole answer.
 */
export function nameList(names: readonly string[]): string {
  return names.map((n) => encodeURIComponent(n)).join(',') || '-';
}

/** `POST /api/export/csv|json|excel`: a streamed download of a plan's rows, or of everything. */
export function registerExportRoutes(app: FastifyInstance, engine: ServingEngine, ctx: RouteContext): void {
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
          description:
            'Freshness travels in headers too: `X-Vminer-As-Of` (ISO time), `X-Vminer-Failed-Vcenters` and ' +
            '`X-Vminer-Stale-Vcenters` (names percent-encoded as UTF-8, comma-separated; `-` for none).',
          tags: ['export'],
          body: schema,
        },
      },
      async (req, reply) => {
        ctx.user(req);
        const b = ExportBodySchema.parse(req.body ?? {});
        const { plan, question } = await engine.reads.resolveExport(b);
        if (!plan && f.format === 'csv')
          throw new VminerError('INVALID_INPUT', 'a CSV export needs an entity or a query');
        const stamp = new Date().toISOString().slice(0, 10);
        const name = `vminer-${plan ? plan.entity : 'estate'}-${stamp}.${f.ext}`;
        const freshness = await engine.reads.freshness(plan);
        reply.hijack();
        try {
          // CSV has no room for metadata inside the rows; downloads carry it in headers too.
          reply.raw.writeHead(200, {
            'Content-Type': f.type,
            'Content-Disposition': `attachment; filename="${name}"`,
            'X-Vminer-As-Of': freshness.asOf ?? 'never',
            'X-Vminer-Failed-Vcenters': nameList(freshness.failedVcenters),
            'X-Vminer-Stale-Vcenters': nameList(freshness.staleVcenters),
          });
          if (plan) {
            await exportRows({
              ...engine.reads.exportSource(),
              plan,
              columns: b.columns,
              format: f.format,
              out: reply.raw,
              bom: b.bom,
              freshness,
              ...(question ? { question } : {}),
            });
          } else {
            await exportFull({
              ...engine.reads.exportSource(),
              vcenters: engine.vcenters.list(),
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

  app.post(
    '/api/export/rvtools',
    {
      schema: {
        summary:
          'Download the whole estate as a workbook in RVTools’ layout (vInfo, vCPU, vMemory, vDisk, vPartition, vNetwork, vSnapshot, vTools, vCluster, vHost, vNIC, vSwitch, dvSwitch, dvPort, vDatastore, vMetaData)',
        description:
          'No body (or an empty one): the layout is the whole estate. RVTools’ headers, units (MiB) and value spellings; ' +
          'columns vMiner does not read are present and empty (docs/rvtools-columns.md). Freshness in the same ' +
          'X-Vminer-* headers as the other exports.',
        tags: ['export'],
      },
    },
    async (req, reply) => {
      ctx.user(req);
      const b = ExportBodySchema.parse(req.body ?? {});
      if (b.entity || b.query || b.filters)
        throw new VminerError(
          'INVALID_INPUT',
          'the RVTools layout is the whole estate: send no entity, filters or query',
        );
      const freshness = await engine.reads.freshness(undefined);
      reply.hijack();
      try {
        reply.raw.writeHead(200, {
          'Content-Type': FORMATS['excel']!.type,
          'Content-Disposition': `attachment; filename="vminer-rvtools-${new Date().toISOString().slice(0, 10)}.xlsx"`,
          'X-Vminer-As-Of': freshness.asOf ?? 'never',
          'X-Vminer-Failed-Vcenters': nameList(freshness.failedVcenters),
          'X-Vminer-Stale-Vcenters': nameList(freshness.staleVcenters),
        });
        await exportRvtools({ ...engine.reads.exportSource(), out: reply.raw, freshness });
      } catch {
        reply.raw.destroy();
      }
    },
  );
}
