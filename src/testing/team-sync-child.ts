/**
 * One team server instance's syncing part in a process of its own, for the failover tests
 * (`node --import tsx team-sync-child.ts`): a LeaderElector, a NotifyBus, the configuration
 * mirror, a PgInventoryStore and TeamSync on the database, syncing with the real collector.
 *
 * Environment: VMINER_TEST_PG_URL (postgres://user@host:port/db), PGPASSWORD, TEAM_CHILD (its
 * name: the application names are `tsc NAME …`), VC_USER / VC_PASSWORD (every vCenter's login),
 * LEADER_TIMING (JSON of LeaderOptions timings, optional).
 * Prints one line per event: `elected TERM`, `lost REASON`, `collected` (a sync read its vCenter
 * and is about to store it), `summary STATUS,…`, `error CODE`, `live ID STATUS`, `ready`.
 * Obeys stdin, one command a line: `sync` (all vCenters; on a follower, run by the leader),
 * `live` (keep vCenters live).
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { toErrorInfo } from '../shared/errors.js';
import { PgInventoryStore } from '../main/engine/db/pg/inventory-store-pg.js';
import { EventBus } from '../main/engine/events.js';
import { PgConfig } from '../main/engine/team/config/pg-config.js';
import { PgSettingsRepo } from '../main/engine/team/config/pg-settings-repo.js';
import { PgVcenterRepo } from '../main/engine/team/config/pg-vcenter-repo.js';
import { LeaderElector } from '../main/engine/team/leader.js';
import { NotifyBus } from '../main/engine/team/notify-bus.js';
import { clientConfig, pgTarget } from '../main/engine/team/pg-connection.js';
import { TeamSync } from '../main/engine/team/team-sync.js';
import { collectInventory } from '../main/engine/vsphere/collect.js';

const say = (line: string): boolean => process.stdout.write(`${line}\n`);
const url = process.env.VMINER_TEST_PG_URL;
const name = process.env.TEAM_CHILD ?? `child-${process.pid}`;
if (!url) {
  process.stderr.write('team-sync-child.ts needs VMINER_TEST_PG_URL\n');
  process.exit(64);
}
const login = { user: process.env.VC_USER ?? '', password: process.env.VC_PASSWORD ?? '' };
const timing = JSON.parse(process.env.LEADER_TIMING ?? '{}') as Record<string, number>;
const target = pgTarget(url, { applicationName: `tsc ${name}` });
const bus = new NotifyBus({ target, instance: name, coalesceMs: 20 });
await bus.start();
const config = await PgConfig.open({ target, bus });
const pool = new pg.Pool({ ...clientConfig(target, 'store'), max: 3 });
pool.on('error', () => undefined);
const elector = new LeaderElector({ target, instance: name, ...timing });
const events = new EventBus();
const team = new TeamSync({
  elector,
  store: (fence) => new PgInventoryStore(pool, { fence, bus }),
  vcenters: new PgVcenterRepo(config),
  settings: new PgSettingsRepo(config),
  onConfigReload: (l) => config.onReload(l),
  credentials: () => login,
  bus,
  events,
  collect: async (o) => {
    const res = await collectInventory(o);
    say('collected');
    return res;
  },
  live: { maxWaitSeconds: 1, backoffBaseMs: 200, backoffMaxMs: 1_000 },
  acceptTimeoutMs: 5_000,
});
elector.on('elected', (e) => say(`elected ${e.term}`));
elector.on('lost', (e) => say(`lost ${e.reason}`));
events.on('live:state', (e) => say(`live ${e.vcenterId} ${e.status}`));
team.start();
await elector.start();
createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'live') team.live.start();
  if (cmd === 'sync')
    team.sync.sync().then(
      (s) => say(`summary ${s.results.map((r) => r.status).join(',')}`),
      (err: unknown) => say(`error ${toErrorInfo(err).code}`),
    );
});
say('ready');
