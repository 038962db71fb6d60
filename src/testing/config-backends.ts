/**
 * The engine's configuration repos on either back end, for contract tests that run the same cases
 * on both: a SQLite data folder (the desktop's repos) or a real PostgreSQL database (the team
 * server's mirror-backed repos, with a notify bus, a leader elector for the fencing term and the
 * team vault), and further instances on the same PostgreSQL database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SourceConfigSchema } from '../shared/sources.js';
import { AuthService } from '../main/engine/auth/auth-service.js';
import { openDatabase } from '../main/engine/db/database.js';
import { migratePostgres } from '../main/engine/db/pg/migrate.js';
import { VcenterRepo } from '../main/engine/db/vcenter-repo.js';
import type { NewVcenter, VcenterStore } from '../main/engine/db/vcenter-rules.js';
import { CredentialVault } from '../main/engine/secrets/index.js';
import { SettingsRepo, type SettingsStore } from '../main/engine/settings-repo.js';
import type { AccountStore } from '../main/engine/sources/account-rules.js';
import { ServiceAccountRepo } from '../main/engine/sources/service-accounts.js';
import { SourceRepo } from '../main/engine/sources/source-repo.js';
import type { NewSource, SourceStore } from '../main/engine/sources/source-rules.js';
import { PgServiceAccountRepo } from '../main/engine/team/config/pg-account-repo.js';
import { PgConfig } from '../main/engine/team/config/pg-config.js';
import { PgSettingsRepo } from '../main/engine/team/config/pg-settings-repo.js';
import { PgSourceRepo } from '../main/engine/team/config/pg-source-repo.js';
import { PgUserStore } from '../main/engine/team/config/pg-user-store.js';
import { PgVcenterRepo } from '../main/engine/team/config/pg-vcenter-repo.js';
import { LeaderElector } from '../main/engine/team/leader.js';
import { NotifyBus } from '../main/engine/team/notify-bus.js';
import { pgTarget, type PgTarget } from '../main/engine/team/pg-connection.js';
import { PgCredentialVault } from '../main/engine/team/pg-vault.js';
import {
  connectAdmin,
  createTeamDatabase,
  pgUrl,
  serverTarget,
  startPostgres,
  type RunningPostgres,
} from './postgres.js';

const SECRET_KEY = '0123456789abcdef'.repeat(4);
const PW = 'Config-Pg-Pw1';

export type BackendKind = 'sqlite' | 'postgres';

export interface ConfigInstance {
  kind: BackendKind;
  vcenters: VcenterStore;
  accounts: AccountStore;
  sources: SourceStore;
  settings: SettingsStore;
  auth: AuthService;
  /** The fencing term for leader-only writes: the elected term on PostgreSQL, none on SQLite. */
  term: number | undefined;
  /** PostgreSQL: the instance's mirror, bus and repos (for the tests of what only it does). */
  pg?: { config: PgConfig; bus: NotifyBus; vcenters: PgVcenterRepo; target: PgTarget; database: string };
  close(): Promise<void>;
}

export interface ConfigBackend {
  kind: BackendKind;
  /** A new, empty database (SQLite: a data folder; PostgreSQL: a migrated database) and its first instance. */
  fresh(): Promise<ConfigInstance>;
  stop(): Promise<void>;
}

export function sqliteBackend(): ConfigBackend {
  const dirs: string[] = [];
  return {
    kind: 'sqlite',
    async fresh() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-config-'));
      dirs.push(dir);
      const opened = openDatabase(dir);
      const vault = await CredentialVault.open({
        dataDir: dir,
        backend: 'env',
        env: { VMINER_SECRET_KEY: SECRET_KEY },
        onWarning: () => undefined,
      });
      return {
        kind: 'sqlite',
        vcenters: new VcenterRepo(opened.db),
        accounts: new ServiceAccountRepo(opened.db),
        sources: new SourceRepo(opened.db),
        settings: new SettingsRepo(opened.db),
        auth: await AuthService.create(opened.db, vault, 60),
        term: undefined,
        close: async () => {
          opened.sqlite.close();
        },
      };
    },
    async stop() {
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

export interface PostgresBackend extends ConfigBackend {
  server: RunningPostgres;
  /** Another instance on the database of `of` (a follower: no term). */
  another(of: ConfigInstance, opts?: { reconnectMs?: number }): Promise<ConfigInstance>;
  /** A superuser connection to `database` (for what a test does behind the instances' backs). */
  admin(database: string): Promise<pg.Client>;
}

export async function postgresBackend(): Promise<PostgresBackend> {
  const server = await startPostgres(PW);
  const admin = await connectAdmin(server);
  const instances: ConfigInstance[] = [];
  let count = 0;

  async function instance(database: string, lead: boolean, reconnectMs = 250): Promise<ConfigInstance> {
    const name = `i${++count}`;
    const target = pgTarget(pgUrl(server, database), { password: PW, applicationName: `test ${name}` });
    const cleanup: (() => Promise<void>)[] = [];
    try {
      const bus = new NotifyBus({
        target,
        instance: name,
        reconnect: { initialMs: reconnectMs, maxMs: 1000 },
      });
      await bus.start();
      cleanup.push(() => bus.stop());
      let term: number | undefined;
      if (lead) {
        const elector = new LeaderElector({ target, instance: name, retryMs: 200, renewMs: 500 });
        const elected = new Promise<number>((resolve) => elector.on('elected', (e) => resolve(e.term)));
        await elector.start();
        cleanup.push(() => elector.stop());
        term = await elected;
      }
      const config = await PgConfig.open({ target, bus });
      cleanup.push(() => config.close());
      const vault = await PgCredentialVault.open({
        target,
        env: { VMINER_SECRET_KEY: SECRET_KEY },
        refreshMs: 0,
      });
      cleanup.push(() => vault.close());
      const users = await PgUserStore.open(config);
      const vcenters = new PgVcenterRepo(config);
      const inst: ConfigInstance = {
        kind: 'postgres',
        vcenters,
        accounts: new PgServiceAccountRepo(config),
        sources: new PgSourceRepo(config),
        settings: new PgSettingsRepo(config),
        auth: await AuthService.forStore(users, vault, 60),
        term,
        pg: { config, bus, vcenters, target, database },
        close: async () => {
          for (const c of cleanup.reverse()) await c().catch(() => undefined);
        },
      };
      instances.push(inst);
      return inst;
    } catch (err) {
      for (const c of cleanup.reverse()) await c().catch(() => undefined);
      throw err;
    }
  }

  return {
    kind: 'postgres',
    server,
    async fresh() {
      const database = `config${++count}`;
      await createTeamDatabase(admin, database);
      await migratePostgres(serverTarget(server, database));
      return instance(database, true);
    },
    another(of, opts) {
      return instance(of.pg!.database, false, opts?.reconnectMs);
    },
    admin: (database) => connectAdmin(server, database),
    async stop() {
      for (const i of instances.splice(0)) await i.close();
      await admin.end().catch(() => undefined);
      await server.stop();
    },
  };
}

/** A new vCenter's input named `name` (its address from the name), with `extra` fields. */
export const vcenterInput = (name: string, extra: Partial<NewVcenter> = {}): NewVcenter => ({
  name,
  url: `https://${name.toLowerCase()}.corp/sdk`,
  username: 'administrator@vsphere.local',
  thumbprint: null,
  caPem: null,
  ...extra,
});

/** A new SQL Server source's input named `name`. */
export const sourceInput = (name: string, trustCaValid = false): NewSource => ({
  name,
  kind: 'mssql',
  config: SourceConfigSchema.parse({
    connection: { server: 'cmdb.corp', database: 'cmdb', user: 'reader' },
    trustCaValid,
  }),
  refreshMinutes: 30,
  enabled: true,
});
