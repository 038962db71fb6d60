/**
 * Test support: changes a (simulated) vCenter through the vSphere API, the way an administrator
 * would — power, reconfigure, rename, clone, destroy, maintenance mode — and waits for each task.
 */
import { moRefXml, SoapClient } from '../main/engine/vsphere/soap-client.js';
import { retrieveObjects } from '../main/engine/vsphere/property-filter.js';
import { childText, escapeXml, MoRef } from '../main/engine/vsphere/xml.js';

export class VsphereOps {
  private constructor(readonly client: SoapClient) {}

  static async connect(url: string, user: string, password: string, thumbprint: string): Promise<VsphereOps> {
    const client = new SoapClient({
      url,
      trust: { kind: 'thumbprint', sha256: thumbprint },
      callTimeoutMs: 30_000,
    });
    await client.retrieveServiceContent();
    await client.login(user, password);
    return new VsphereOps(client);
  }

  async close(): Promise<void> {
    await this.client.logout();
  }

  /** Reads one property of one object (as text or a reference value). */
  async property(ref: MoRef, path: string): Promise<string | undefined> {
    const [node] = await retrieveObjects(this.client, [ref], { [ref.type]: [path] });
    const prop = node?.children.find((c) => c.name === 'propSet');
    return prop?.children.find((c) => c.name === 'val')?.text;
  }

  private async task(method: string, ref: MoRef, body = ''): Promise<string | undefined> {
    const res = await this.client.call(method, moRefXml('_this', ref.type, ref.value) + body);
    const task = childText(res, 'returnval');
    if (!task) throw new Error(`${method} returned no task`);
    const taskRef = new MoRef('Task', task);
    for (let i = 0; i < 200; i++) {
      const state = await this.property(taskRef, 'info.state');
      if (state === 'success') return this.property(taskRef, 'info.result');
      if (state === 'error') throw new Error(`${method} on ${ref.key} failed`);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${method} on ${ref.key} did not finish`);
  }

  powerOff(vm: string): Promise<unknown> {
    return this.task('PowerOffVM_Task', new MoRef('VirtualMachine', vm));
  }

  powerOn(vm: string): Promise<unknown> {
    return this.task('PowerOnVM_Task', new MoRef('VirtualMachine', vm));
  }

  reconfigure(
    vm: string,
    spec: {
      numCpu?: number;
      memoryMb?: number;
      guestId?: string;
      cpuReservationMhz?: number;
      memoryHotAdd?: boolean;
    },
  ): Promise<unknown> {
    const inner =
      (spec.guestId !== undefined ? `<guestId>${escapeXml(spec.guestId)}</guestId>` : '') +
      (spec.numCpu !== undefined ? `<numCPUs>${spec.numCpu}</numCPUs>` : '') +
      (spec.memoryMb !== undefined ? `<memoryMB>${spec.memoryMb}</memoryMB>` : '') +
      (spec.memoryHotAdd !== undefined
        ? `<memoryHotAddEnabled>${spec.memoryHotAdd}</memoryHotAddEnabled>`
        : '') +
      (spec.cpuReservationMhz !== undefined
        ? `<cpuAllocation><reservation>${spec.cpuReservationMhz}</reservation></cpuAllocation>`
        : '');
    return this.task('ReconfigVM_Task', new MoRef('VirtualMachine', vm), `<spec>${inner}</spec>`);
  }

  rename(ref: MoRef, name: string): Promise<unknown> {
    return this.task('Rename_Task', ref, `<newName>${escapeXml(name)}</newName>`);
  }

  /** Clones a VM into the same folder; returns the new VM's moid. */
  async clone(vm: string, name: string): Promise<string> {
    const ref = new MoRef('VirtualMachine', vm);
    const folder = await this.property(ref, 'parent');
    if (!folder) throw new Error(`${vm} has no folder`);
    const result = await this.task(
      'CloneVM_Task',
      ref,
      moRefXml('folder', 'Folder', folder) +
        `<name>${escapeXml(name)}</name><spec><location></location><template>false</template><powerOn>false</powerOn></spec>`,
    );
    if (!result) throw new Error('CloneVM_Task returned no VM');
    return result;
  }

  /** A vMotion: the VM runs on another host afterwards. */
  relocate(vm: string, host: string): Promise<unknown> {
    return this.task(
      'RelocateVM_Task',
      new MoRef('VirtualMachine', vm),
      `<spec>${moRefXml('host', 'HostSystem', host)}</spec>`,
    );
  }

  /** Adds a thin disk of `gb` GiB on the VM's first SCSI controller; returns the VM's disk count. */
  async addDisk(vm: string, gb: number): Promise<void> {
    const [node] = await retrieveObjects(this.client, [new MoRef('VirtualMachine', vm)], {
      VirtualMachine: ['config.hardware.device'],
    });
    const devices =
      node?.children.find((c) => c.name === 'propSet')?.children.find((c) => c.name === 'val')?.children ??
      [];
    const scsi = devices.find((d) => /SCSI|LsiLogic|BusLogic/i.test(d.xsiType ?? ''));
    if (!scsi) throw new Error(`${vm} has no SCSI controller`);
    const used = devices.filter((d) => childText(d, 'controllerKey') === childText(scsi, 'key')).length;
    await this.task(
      'ReconfigVM_Task',
      new MoRef('VirtualMachine', vm),
      '<spec><deviceChange><operation>add</operation><fileOperation>create</fileOperation>' +
        '<device xsi:type="VirtualDisk"><key>-1</key>' +
        '<backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName></fileName><diskMode>persistent</diskMode>' +
        '<thinProvisioned>true</thinProvisioned></backing>' +
        `<controllerKey>${childText(scsi, 'key') ?? ''}</controllerKey><unitNumber>${used + 1}</unitNumber>` +
        `<capacityInKB>${gb * 1024 * 1024}</capacityInKB></device></deviceChange></spec>`,
    );
  }

  /** Defines a custom attribute (CustomFieldsManager.AddCustomFieldDef); returns its key. */
  async addCustomField(name: string, moType: string): Promise<number> {
    const cfm = this.client.serviceContent.customFieldsManager;
    if (!cfm) throw new Error('no CustomFieldsManager');
    const res = await this.client.call(
      'AddCustomFieldDef',
      moRefXml('_this', 'CustomFieldsManager', cfm) +
        `<name>${escapeXml(name)}</name><moType>${escapeXml(moType)}</moType>`,
    );
    return Number(
      childText(
        res.children.find((c) => c.name === 'returnval'),
        'key',
      ),
    );
  }

  /** Sets a custom attribute's value on an object (CustomFieldsManager.SetField). */
  async setCustomValue(ref: MoRef, key: number, value: string): Promise<void> {
    const cfm = this.client.serviceContent.customFieldsManager;
    if (!cfm) throw new Error('no CustomFieldsManager');
    await this.client.call(
      'SetField',
      moRefXml('_this', 'CustomFieldsManager', cfm) +
        moRefXml('entity', ref.type, ref.value) +
        `<key>${key}</key><value>${escapeXml(value)}</value>`,
    );
  }

  /** Number of virtual disks (govmomi 0.24.2 cannot clone a VM with more than one). */
  async diskCount(vm: string): Promise<number> {
    const [node] = await retrieveObjects(this.client, [new MoRef('VirtualMachine', vm)], {
      VirtualMachine: ['config.hardware.device'],
    });
    const val = node?.children.find((c) => c.name === 'propSet')?.children.find((c) => c.name === 'val');
    return val?.children.filter((d) => d.xsiType === 'VirtualDisk').length ?? 0;
  }

  /** Removes a VM from the inventory without deleting its files (a `leave`, like Destroy_Task). */
  async unregister(vm: string): Promise<void> {
    await this.client.call('UnregisterVM', moRefXml('_this', 'VirtualMachine', vm));
  }

  destroy(ref: MoRef): Promise<unknown> {
    return this.task('Destroy_Task', ref);
  }

  enterMaintenance(host: string): Promise<unknown> {
    return this.task('EnterMaintenanceMode_Task', new MoRef('HostSystem', host), '<timeout>0</timeout>');
  }

  exitMaintenance(host: string): Promise<unknown> {
    return this.task('ExitMaintenanceMode_Task', new MoRef('HostSystem', host), '<timeout>0</timeout>');
  }

  /** The sessions open on the vCenter other than this client's own (`SessionManager.sessionList`). */
  async otherSessions(): Promise<{ key: string; userName: string }[]> {
    const sm = this.client.serviceContent.sessionManager;
    const [node] = await retrieveObjects(this.client, [new MoRef('SessionManager', sm)], {
      SessionManager: ['sessionList', 'currentSession'],
    });
    const props = node?.children.filter((c) => c.name === 'propSet') ?? [];
    const val = (name: string) =>
      props.find((p) => childText(p, 'name') === name)?.children.find((c) => c.name === 'val');
    const current = childText(val('currentSession'), 'key');
    return (val('sessionList')?.children ?? [])
      .map((s) => ({ key: childText(s, 'key') ?? '', userName: childText(s, 'userName') ?? '' }))
      .filter((s) => s.key !== '' && s.key !== current);
  }

  /** Ends another session (as an administrator or an idle timeout would). */
  async terminateOtherSessions(user: string): Promise<number> {
    const sm = this.client.serviceContent.sessionManager;
    const keys = (await this.otherSessions()).filter((s) => s.userName === user).map((s) => s.key);
    if (keys.length === 0) return 0;
    await this.client.call(
      'TerminateSession',
      moRefXml('_this', 'SessionManager', sm) +
        keys.map((k) => `<sessionId>${escapeXml(k)}</sessionId>`).join(''),
    );
    return keys.length;
  }
}
