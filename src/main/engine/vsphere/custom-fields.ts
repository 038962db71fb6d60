/**
 * The custom attribute definitions (CustomFieldsManager.field): a VM's or host's `customValue`
 * names its fields by key only, and RVTools shows them by name.
 */
import { retrieveObjects } from './property-filter.js';
import { parseObject, type MissingProperty } from './property-collector.js';
import type { SoapClient } from './soap-client.js';
import { MoRef, type XValue } from './xml.js';
import { CUSTOM_FIELD_PATHS } from './properties.js';

/** The field definitions, or undefined when this vCenter has no CustomFieldsManager. */
export async function readCustomFields(
  client: SoapClient,
  signal?: AbortSignal,
): Promise<XValue | undefined> {
  const cfm = client.serviceContent.customFieldsManager;
  if (!cfm) return undefined;
  const nodes = await retrieveObjects(
    client,
    [new MoRef('CustomFieldsManager', cfm)],
    { CustomFieldsManager: CUSTOM_FIELD_PATHS },
    signal,
  );
  const missing = new Map<string, MissingProperty>();
  for (const n of nodes) {
    const o = parseObject(n, missing);
    if (o.ref.type === 'CustomFieldsManager') return o.props.get('field') ?? [];
  }
  return [];
}
