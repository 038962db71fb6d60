import { changesPageAsync } from '../db/history/changes-read.js';
import { inventoryStatsPg } from '../db/stats.js';
import { resolveExportRequest } from '../export/request.js';
import type { PgListPages } from '../list-pages-pg.js';
import { objectDetailsAsync } from '../query/details.js';
import type { PgQueryBackend } from '../query/pg-backend.js';
import type { QueryService } from '../query/query-service.js';
import type { InventoryReads } from '../serving-engine.js';
import type { SettingsStore } from '../settings-repo.js';
import type { VcenterStore } from '../db/vcenter-rules.js';

/** The inventory's readings on the team database: the same answers as `sqliteReads`, awaited. */
export function pgReads(parts: {
  backend: PgQueryBackend;
  query: QueryService;
  lists: PgListPages;
  vcenters: Pick<VcenterStore, 'list'>;
  settings: Pick<SettingsStore, 'get'>;
}): InventoryReads {
  const { backend, query, lists } = parts;
  return {
    ask: (req) => query.askAsync(req),
    list: (req) => lists.page(req),
    details: (req) => objectDetailsAsync(backend, req),
    stats: () => inventoryStatsPg(backend, parts.vcenters.list(), parts.settings.get()),
    changes: (req) => changesPageAsync(backend, req),
    freshness: (plan) => query.freshnessAsync(plan),
    resolveExport: async (req) => {
      // A question is parsed against the inventory's names: have the current ones first.
      await backend.names.ready();
      return resolveExportRequest(query, req);
    },
    exportSource: () => ({ postgres: backend }),
  };
}
