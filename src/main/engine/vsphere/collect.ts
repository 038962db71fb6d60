import type { Inventory } from '../../../shared/inventory.js';
import { SoapClient, type AboutInfo } from './soap-client.js';
import { createContainerView, retrieveFromView, type MissingProperty } from './property-collector.js';
import { InventoryMapper } from './inventory-mapper.js';
import { PROPERTY_PATHS, VIEW_TYPES } from './properties.js';
import type { TrustPolicy } from './transport.js';

export interface CollectOptions {
  url: string;
  user: string;
  password: string;
  trust: TrustPolicy;
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  signal?: AbortSignal;
  maxObjects?: number;
  onProgress?: (p: { phase: 'connecting' | 'collecting' | 'mapping'; objects: number }) => void;
}

export interface CollectResult {
  about: AboutInfo;
  inventory: Inventory;
  droppedPaths: string[];
  missing: MissingProperty[];
  pages: number;
  objects: number;
}

/** One full read of a vCenter: log in, one container view, paged property retrieval, log out. */
export async function collectInventory(opts: CollectOptions): Promise<CollectResult> {
  const client = new SoapClient({
    url: opts.url,
    trust: opts.trust,
    connectTimeoutMs: opts.connectTimeoutMs,
    callTimeoutMs: opts.callTimeoutMs,
    signal: opts.signal,
  });
  opts.onProgress?.({ phase: 'connecting', objects: 0 });
  let loggedIn = false;
  try {
    const sc = await client.retrieveServiceContent();
    await client.login(opts.user, opts.password);
    loggedIn = true;
    const view = await createContainerView(client, VIEW_TYPES);
    const mapper = new InventoryMapper();
    const result = await retrieveFromView(client, view, PROPERTY_PATHS, {
      maxObjects: opts.maxObjects ?? 1000,
      onObject: (o) => mapper.add(o),
      onPage: (objects) => opts.onProgress?.({ phase: 'collecting', objects }),
    });
    opts.onProgress?.({ phase: 'mapping', objects: result.objects });
    return { about: sc.about, inventory: mapper.build(), ...result };
  } finally {
    // The view dies with the session. Logging out is not awaited: on a distant vCenter that round
    // trip would hold a sync slot for nothing (logout() never throws and closes the connection).
    if (loggedIn && !opts.signal?.aborted) void client.logout();
    else client.destroy();
  }
}
