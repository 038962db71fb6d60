import fs from 'node:fs/promises';
import type { Handlers } from '../../../shared/contract.js';
import { VminerError } from '../../../shared/errors.js';
import type { ImportContent } from '../../../shared/sources.js';
import type { LocalParts, ServingEngine } from '../serving-engine.js';
import { applyImport, planImport, previewOf, type ImportPlan } from './import.js';
import { readTableFile } from './table-file.js';
import { SourceConfigSchema, SourceMappingSchema } from '../../../shared/sources.js';
import type { NewSource } from './source-rules.js';
import { testSource } from './refresh.js';
import { sourceVaultId } from './source-repo.js';
import { checkedConnection } from './source-tls.js';
import { reviewCertificates, trustCertificates, trustCertificatesOn } from './cert-review.js';
import { runDoctor } from '../doctor.js';

type SourceRequests =
  | 'accounts.list'
  | 'accounts.add'
  | 'accounts.update'
  | 'accounts.remove'
  | 'import.preview'
  | 'import.apply'
  | 'import.previewFile'
  | 'import.applyFile'
  | 'sources.list'
  | 'sources.add'
  | 'sources.update'
  | 'sources.remove'
  | 'sources.test'
  | 'sources.refresh'
  | 'certs.review'
  | 'certs.trust'
  | 'doctor.run';

async function planFromBuffer(
  engine: ServingEngine,
  buf: Buffer,
  format?: 'csv' | 'xlsx',
): Promise<ImportPlan> {
  return planImport(await readTableFile(buf, format), engine.vcenters, engine.accounts);
}

const contentBuffer = (c: ImportContent): Buffer =>
  c.encoding === 'base64' ? Buffer.from(c.content, 'base64') : Buffer.from(c.content, 'utf8');

async function readLocalFile(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new VminerError('INVALID_INPUT', `cannot read ${file}: ${(err as Error).message}`);
  }
}

const formatOf = (file: string): 'csv' | 'xlsx' | undefined =>
  /\.xlsx$/i.test(file) ? 'xlsx' : /\.(csv|txt|tsv)$/i.test(file) ? 'csv' : undefined;

/** Contract handlers for where vCenters and their logins come from: service accounts, imports, SQL sources. */
export function sourceHandlers(engine: ServingEngine): Pick<Handlers, SourceRequests> {
  // On SQLite the doctor (and trusting certificates, in one transaction) needs the data folder; on
  // PostgreSQL the team engine runs its own doctor (team/team-doctor.ts).
  const local = (feature: string): LocalParts => engine.local(feature);
  return {
    'accounts.list': async () => engine.accounts.list(),
    'accounts.add': async ({ password, ...a }) => {
      const info = await engine.accounts.add(a);
      await engine.setAccountPassword(info.id, password);
      return engine.accounts.resolve(info.id);
    },
    'accounts.update': async ({ id, password, ...patch }) => {
      engine.accounts.resolve(id);
      if (Object.keys(patch).length > 0) await engine.accounts.update(id, patch);
      if (password !== undefined) await engine.setAccountPassword(id, password);
      return engine.accounts.resolve(id);
    },
    'accounts.remove': async ({ id }) => {
      await engine.removeAccount(id);
      return { removed: true };
    },
    'import.preview': async (c) => previewOf(await planFromBuffer(engine, contentBuffer(c), c.format)),
    'import.apply': async (c) =>
      applyImport(await planFromBuffer(engine, contentBuffer(c), c.format), engine.vcenters),
    'import.previewFile': async ({ path }) =>
      previewOf(await planFromBuffer(engine, await readLocalFile(path), formatOf(path))),
    'import.applyFile': async ({ path }) =>
      applyImport(await planFromBuffer(engine, await readLocalFile(path), formatOf(path)), engine.vcenters),
    'sources.list': async () => engine.sources.list(),
    'sources.add': async ({
      password,
      connection,
      query,
      mapping,
      timeoutSeconds,
      maxRows,
      trustCaValid,
      ...s
    }) => {
      const config = SourceConfigSchema.parse({
        connection: checkedConnection(s.name, connection),
        query,
        mapping: SourceMappingSchema.parse(mapping ?? {}),
        timeoutSeconds,
        maxRows,
        trustCaValid,
      });
      const info = await engine.sources.add({ ...s, config });
      await engine.setSourcePassword(info.id, password);
      return info;
    },
    'sources.update': async ({
      id,
      password,
      connection,
      query,
      mapping,
      timeoutSeconds,
      maxRows,
      trustCaValid,
      ...rest
    }) => {
      const current = engine.sources.resolve(id);
      const config = SourceConfigSchema.parse({
        connection: checkedConnection(rest.name ?? current.name, {
          ...current.config.connection,
          ...connection,
        }),
        query: query ?? current.config.query,
        mapping: { ...current.config.mapping, ...mapping },
        timeoutSeconds: timeoutSeconds ?? current.config.timeoutSeconds,
        maxRows: maxRows ?? current.config.maxRows,
        trustCaValid: trustCaValid ?? current.config.trustCaValid,
      });
      const patch: Partial<NewSource> = { config };
      if (rest.name !== undefined) patch.name = rest.name;
      if (rest.refreshMinutes !== undefined) patch.refreshMinutes = rest.refreshMinutes;
      if (rest.enabled !== undefined) patch.enabled = rest.enabled;
      await engine.sources.update(id, patch);
      if (password !== undefined) await engine.setSourcePassword(id, password);
      return engine.sources.resolve(id);
    },
    'sources.remove': async ({ id, removeVcenters }) => {
      engine.sources.resolve(id);
      return { removed: true, removedVcenters: await engine.removeSource(id, { removeVcenters }) };
    },
    'sources.test': async ({ id }) =>
      testSource(
        {
          repo: engine.vcenters,
          sources: engine.sources,
          accounts: engine.accounts,
          password: (sourceId) => engine.vault.get(sourceVaultId(sourceId)),
        },
        engine.sources.resolve(id),
      ),
    'sources.refresh': async ({ id }) => engine.refreshSource(engine.sources.resolve(id)),
    'certs.review': async ({ vcenterIds }) =>
      reviewCertificates(engine.vcenters, vcenterIds, engine.settings.get().connectTimeoutMs),
    'certs.trust': async ({ items }) => ({
      trusted:
        engine.backend === 'sqlite'
          ? trustCertificates(local('trusting certificates').vcenters, items)
          : await trustCertificatesOn(engine.vcenters, items, (pins) => engine.settleTrusted(pins)),
    }),
    'doctor.run': async (req) =>
      engine.backend === 'postgres' ? engine.doctor(req) : runDoctor(local('the doctor').doctorDeps(), req),
  };
}
