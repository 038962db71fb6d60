/**
 * The related rows a `has` filter may name, per entity: a VM's disks, NICs, partitions, tags and
 * custom attributes; a host's tags and attributes; the tags of clusters, datastores and networks.
 * A relation to an entity filters with that entity's fields; `attributes` has `name` and `value`.
 */
import type { QueryEntity } from './fields.js';

export type RelationTarget = QueryEntity | 'attributes';

export const RELATION_TARGETS: Partial<Record<QueryEntity, Record<string, RelationTarget>>> = {
  vms: { disks: 'disks', nics: 'nics', partitions: 'partitions', tags: 'tags', attributes: 'attributes' },
  hosts: { tags: 'tags', attributes: 'attributes' },
  clusters: { tags: 'tags' },
  datastores: { tags: 'tags' },
  networks: { tags: 'tags' },
};

export function relationTarget(entity: QueryEntity, relation: string): RelationTarget | undefined {
  const r = RELATION_TARGETS[entity];
  return r && Object.hasOwn(r, relation) ? r[relation] : undefined;
}
