import { z } from 'zod';
import { QUERY_ENTITIES, type QueryEntity } from './fields.js';

/**
 * The query plan: the product's one filter language. A chat answer produces one; grids, REST
 * list routes and exports accept one.
 */
export type Filter =
  | { kind: 'and'; filters: Filter[] }
  | { kind: 'or'; filters: Filter[] }
  | { kind: 'not'; filter: Filter }
  | {
      kind: 'cmp';
      field: string;
      op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
      value: string | number | boolean;
    }
  | { kind: 'between'; field: string; min: number | string; max: number | string }
  | {
      kind: 'text';
      field: string;
      op: 'equals' | 'contains' | 'startsWith' | 'endsWith' | 'glob';
      value: string;
    }
  | { kind: 'empty'; field: string; empty: boolean }
  /**
   * The row has a related row (a VM's disks, NICs, partitions, tags or custom attributes; a
   * host's tags or attributes) matching `filter`, or any related row when there is none.
   */
  | { kind: 'has'; relation: string; filter?: Filter };

export const FilterSchema: z.ZodType<Filter> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('and'), filters: z.array(FilterSchema).max(64) }),
    z.object({ kind: z.literal('or'), filters: z.array(FilterSchema).max(64) }),
    z.object({ kind: z.literal('not'), filter: FilterSchema }),
    z.object({
      kind: z.literal('cmp'),
      field: z.string().max(64),
      op: z.enum(['eq', 'ne', 'lt', 'lte', 'gt', 'gte']),
      value: z.union([z.string().max(1024), z.number(), z.boolean()]),
    }),
    z.object({
      kind: z.literal('between'),
      field: z.string().max(64),
      min: z.union([z.number(), z.string().max(64)]),
      max: z.union([z.number(), z.string().max(64)]),
    }),
    z.object({
      kind: z.literal('text'),
      field: z.string().max(64),
      op: z.enum(['equals', 'contains', 'startsWith', 'endsWith', 'glob']),
      value: z.string().max(1024),
    }),
    z.object({ kind: z.literal('empty'), field: z.string().max(64), empty: z.boolean() }),
    z.object({ kind: z.literal('has'), relation: z.string().max(64), filter: FilterSchema.optional() }),
  ]),
);

export const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFn = (typeof AGGREGATES)[number];

export const QueryPlanSchema = z.object({
  entity: z.enum(QUERY_ENTITIES as [QueryEntity, ...QueryEntity[]]),
  filter: FilterSchema.optional(),
  sort: z
    .array(z.object({ field: z.string().max(64), dir: z.enum(['asc', 'desc']) }))
    .max(4)
    .optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
  groupBy: z.string().max(64).optional(),
  aggregate: z.object({ fn: z.enum(AGGREGATES), field: z.string().max(64).optional() }).optional(),
});

export type QueryPlan = z.infer<typeof QueryPlanSchema>;

export type AnswerKind =
  'rows' | 'count' | 'groups' | 'value' | 'find' | 'export' | 'clarify' | 'refused' | 'not_understood';

export interface Freshness {
  /** The oldest last good sync among the vCenters involved (ISO), or null when none ever synced. */
  asOf: string | null;
  failedVcenters: string[];
  staleVcenters: string[];
  neverSyncedVcenters: string[];
}

export interface Answer {
  conversationId: string;
  question: string;
  kind: AnswerKind;
  /**
   * False when the question was not answered as asked: not understood, not answerable from the
   * cache, or asked back about (kind `not_understood` / `clarify`). Never a broader answer.
   */
  understood: boolean;
  /** The words of the question it did not understand (with `understood: false`). */
  unknownWords?: string[];
  interpretation: string;
  correctedQuestion?: string;
  plan?: QueryPlan;
  columns: string[];
  rows: Record<string, unknown>[];
  total: number;
  value?: number | null;
  message?: string;
  suggestions?: string[];
  freshness: Freshness;
}

export const AskRequestSchema = z.object({
  question: z.string().min(1).max(2000),
  conversationId: z.string().max(100).optional(),
});
export type AskRequest = z.infer<typeof AskRequestSchema>;
