import type { QueryEntity } from '../../../shared/fields.js';
import { dict } from '../../../shared/own.js';

/** Number words → numbers ("older than six months", "more than one snapshot"). */
export const NUMBER_WORDS: Record<string, number> = dict({
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  ninety: 90,
  hundred: 100,
  single: 1,
  couple: 2,
  dozen: 12,
});

/**
 * Date fields by the word a question uses ("created", "booted", "snapshot") and the entity asked
 * about; `null`: the word is understood but the cache has no such date yet (it is said so, never
 * ignored). A new date field is one entry here.
 */
export const DATE_FIELDS: { words: string[]; fields: Partial<Record<QueryEntity, string | null>> }[] = [
  {
    words: ['created', 'creation', 'taken', 'made', 'deployed', 'built', 'added'],
    // A VM's creation date is config.createDate (vCenter 6.7 and later; older VMs have none).
    fields: {
      snapshots: 'createdAt',
      vms: 'createdAt',
      hosts: null,
      datastores: null,
      clusters: null,
      networks: null,
    },
  },
  {
    words: ['booted', 'rebooted', 'boot', 'started', 'restarted', 'up', 'uptime', 'running'],
    fields: { vms: 'bootTime', hosts: 'bootTime' },
  },
  {
    words: ['snapshot', 'snapshots', 'snapshotted'],
    fields: { vms: 'oldestSnapshotAt', snapshots: 'createdAt' },
  },
  { words: ['synced', 'sync'], fields: { vcenters: 'lastSuccessAt' } },
];

export const MONTHS: Record<string, number> = dict({
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
});

export const WEEKDAYS: Record<string, number> = dict({
  sunday: 0,
  sun: 0,
  monday: 1,
  mon: 1,
  tuesday: 2,
  tue: 2,
  tues: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thu: 4,
  thurs: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
});
