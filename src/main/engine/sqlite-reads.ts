import type { OpenedDatabase } from './db/database.js';
import { ChangesReader } from './db/history/changes-read.js';
import { inventoryStats } from './db/stats.js';
import { resolveExportRequest } from './export/request.js';
import type { ListPages } from './list-pages.js';
import { objectDetails } from './query/details.js';
import type { QueryService } from './query/query-service.js';
import type { InventoryReads } from './serving-engine.js';

/** The inventory's readings on a SQLite data folder: synchronous underneath, as before. */
export function sqliteReads(database: OpenedDatabase, query: QueryService, lists: ListPages): InventoryReads {
  const changes = new ChangesReader(database.sqlite);
  return {
    ask: async (req) => query.ask(req),
    list: async (req) => lists.page(req),
    details: async (req) => objectDetails(database.sqlite, req),
    stats: async () => inventoryStats(database),
    changes: async (req) => changes.page(req),
    freshness: async (plan) => query.freshness(plan),
    resolveExport: async (req) => resolveExportRequest(query, req),
    exportSource: () => ({ sqlite: database.sqlite }),
  };
}
