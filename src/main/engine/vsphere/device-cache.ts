/**
 * A VM's device list is most of what a vCenter sends about it and rarely changes. It is read
 * apart from the other properties, and only for the VMs whose `config.changeVersion` (moved by
 * vCenter on every configuration change) differs from the version the cache read it at: a
 * scheduled re-sync of an unchanged estate reads no devices at all.
 */
import type { InventoryMapper } from './inventory-mapper.js';
import { DEVICE_PATH, DEVICE_PATHS } from './properties.js';
import { retrieveRefs } from './property-collector.js';
import type { SoapClient } from './soap-client.js';
import type { MoRef } from './xml.js';

/** The devices cached for a VM (reduced, JSON), when read at this change version. */
export interface DeviceCache {
  get(vmMoid: string, changeVersion: string): string | undefined;
}

/**
 * Gives the mapper the devices of every VM it wants them for: from the cache when the VM's
 * config.changeVersion matches, else read from the vCenter. Returns how many VMs were read.
 */
export async function fillDevices(
  client: SoapClient,
  mapper: InventoryMapper,
  cache: DeviceCache | undefined,
  signal?: AbortSignal,
): Promise<number> {
  const read: MoRef[] = [];
  for (const ref of mapper.takeDevicesWanted()) {
    const version = mapper.changeVersionOf(ref.key);
    const cached = version !== null ? cache?.get(ref.value, version) : undefined;
    if (cached !== undefined) mapper.setDevicesJson(ref.key, cached);
    else read.push(ref);
  }
  const seen = new Set<string>();
  await retrieveRefs(
    client,
    read,
    DEVICE_PATHS,
    (o) => {
      seen.add(o.ref.key);
      const devices = o.props.get(DEVICE_PATH);
      if (devices !== undefined) mapper.setDevices(o.ref.key, devices);
    },
    signal ? { signal } : {},
  );
  // A VM gone meanwhile (its leave follows) has no devices to show.
  for (const ref of read) if (!seen.has(ref.key)) mapper.setDevices(ref.key, []);
  return read.length;
}
