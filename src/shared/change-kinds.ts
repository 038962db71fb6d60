// No zod here: the CLI's command definitions (loaded for --help) import these lists.

/** What a change history row records (see the `changes` table). */
export const CHANGE_KINDS = ['changed', 'created', 'removed', 'first-sync'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
export const CHANGE_SOURCES = ['live', 'sync'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

/** The entities whose objects have a history (the query plan's entity names). */
export const CHANGE_ENTITIES = [
  'vms',
  'hosts',
  'clusters',
  'datastores',
  'networks',
  'datacenters',
  'snapshots',
  'vcenters',
] as const;

/** The entities whose objects each have a history of their own (a vCenter's rows are its sync markers). */
export const OBJECT_HISTORY_ENTITIES: ReadonlySet<string> = new Set(
  CHANGE_ENTITIES.filter((e) => e !== 'vcenters'),
);
