import type { Handlers } from '../../../shared/contract.js';
import type { Engine } from '../engine.js';

type SourceRequests = 'accounts.list' | 'accounts.add' | 'accounts.update' | 'accounts.remove';

/** Contract handlers for where vCenters and their logins come from: service accounts, imports, SQL sources. */
export function sourceHandlers(engine: Engine): Pick<Handlers, SourceRequests> {
  return {
    'accounts.list': async () => engine.accounts.list(),
    'accounts.add': async ({ password, ...a }) => {
      const info = engine.accounts.add(a);
      await engine.setAccountPassword(info.id, password);
      return engine.accounts.resolve(info.id);
    },
    'accounts.update': async ({ id, password, ...patch }) => {
      engine.accounts.resolve(id);
      if (Object.keys(patch).length > 0) engine.accounts.update(id, patch);
      if (password !== undefined) await engine.setAccountPassword(id, password);
      return engine.accounts.resolve(id);
    },
    'accounts.remove': async ({ id }) => {
      await engine.removeAccount(id);
      return { removed: true };
    },
  };
}
