import { VminerError } from '../../../shared/errors.js';
import { FIELDS } from '../../../shared/fields.js';
import type { ExportRequest } from '../../../shared/contract.js';
import type { QueryPlan } from '../../../shared/query.js';
import type { QueryService } from '../query/query-service.js';

export interface ResolvedExport {
  /** The rows to export; absent for a whole-estate export. */
  plan?: QueryPlan;
  /** The question, when the export was asked as one. */
  question?: string;
}

/** Turns an export request (entity + filters, a question, or neither) into a plan, checked. */
export function resolveExportRequest(query: QueryService, b: ExportRequest): ResolvedExport {
  let plan: QueryPlan | undefined;
  let question: string | undefined;
  if (b.query) {
    const parsed = query.parse(b.query);
    if (parsed.problem || !parsed.plan) {
      throw new VminerError(
        'INVALID_INPUT',
        parsed.problem?.message ?? `not understood as a list: "${b.query}"`,
      );
    }
    plan = { ...parsed.plan };
    delete plan.aggregate;
    delete plan.groupBy;
    question = b.query;
  } else if (b.entity) {
    plan = { entity: b.entity };
    if (b.filters) plan.filter = b.filters;
  } else if (b.filters) {
    throw new VminerError('INVALID_INPUT', 'filters need an entity');
  }
  if (plan && b.sort) plan.sort = b.sort;
  if (plan && b.columns) {
    const known = FIELDS[plan.entity];
    const bad = b.columns.filter((c) => !Object.hasOwn(known, c));
    if (bad.length)
      throw new VminerError('INVALID_INPUT', `unknown columns for ${plan.entity}: ${bad.join(', ')}`);
  }
  return { ...(plan ? { plan } : {}), ...(question ? { question } : {}) };
}
