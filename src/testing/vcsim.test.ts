import { waitUntil } from './wait.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  liveSimulatorCount,
  startSimulator,
  startSimulators,
  stopAll,
  type RunningSimulator,
} from './vcsim.js';

const execFileP = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const READ_INVENTORY = path.resolve(HERE, '../../e2e/pyvmomi/read_inventory.py');
const SYSTEM_PYTHON = '/usr/bin/python3';

// --- a tiny SOAP client, trusting exactly the simulator's own certificate -------------------

interface Soap {
  call(body: string): Promise<string>;
}

function soapClient(sim: RunningSimulator): Soap {
  let cookie = '';
  return {
    call(body: string): Promise<string> {
      const payload =
        '<?xml version="1.0" encoding="UTF-8"?>' +
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:vim25">' +
        `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
      return new Promise((resolve, reject) => {
        const req = https.request(
          sim.url,
          {
            method: 'POST',
            ca: sim.certificatePem,
            headers: {
              'Content-Type': 'text/xml; charset=utf-8',
              SOAPAction: 'urn:vim25/6.5',
              ...(cookie ? { Cookie: cookie } : {}),
            },
          },
          (res) => {
            const setCookie = res.headers['set-cookie']?.[0];
            if (setCookie) cookie = setCookie.split(';')[0] ?? '';
            let data = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (data += d));
            res.on('end', () => {
              if (res.statusCode !== 200)
                reject(new Error(`HTTP ${String(res.statusCode)}: ${data.slice(0, 500)}`));
              else resolve(data);
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

async function vmNames(sim: RunningSimulator): Promise<string[]> {
  const soap = soapClient(sim);
  await soap.call(
    '<Login><_this type="SessionManager">SessionManager</_this><userName>test</userName><password>test</password></Login>',
  );
  const view = await soap.call(
    '<CreateContainerView><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container>' +
      '<type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>',
  );
  const viewId = /<returnval type="ContainerView">([^<]+)<\/returnval>/.exec(view)?.[1];
  if (!viewId) throw new Error(`no container view in ${view.slice(0, 300)}`);
  const res = await soap.call(
    '<RetrievePropertiesEx><_this type="PropertyCollector">propertyCollector</_this><specSet>' +
      '<propSet><type>VirtualMachine</type><all>false</all><pathSet>name</pathSet></propSet>' +
      `<objectSet><obj type="ContainerView">${viewId}</obj><skip>true</skip>` +
      '<selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet>' +
      '</objectSet></specSet><options></options></RetrievePropertiesEx>',
  );
  // Note: the simulator qualifies the type attribute oddly
  // (<val xmlns:XMLSchema-instance="…" XMLSchema-instance:type="xsd:string">), so match any attributes.
  return [...res.matchAll(/<val\b[^>]*>([^<]*)<\/val>/g)].map((m) => m[1] ?? '').sort();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// --------------------------------------------------------------------------------------------

describe('vCenter simulators', () => {
  let sims: RunningSimulator[] = [];

  beforeAll(async () => {
    sims = await startSimulators(2, (i) => ({
      seed: 11 + i,
      vms: 50,
      datastores: 3,
      portgroups: 2,
      namePrefix: `t${i}`,
    }));
  });

  afterAll(async () => {
    await stopAll();
  });

  it('reports the requested counts', () => {
    expect(sims).toHaveLength(2);
    for (const s of sims) {
      expect(s.counts).toEqual({ vms: 50, hosts: 4, clusters: 1, datastores: 3, networks: 4 });
      expect(s.url).toBe(`https://127.0.0.1:${s.port}/sdk`);
      expect(s.host).toBe('127.0.0.1');
      expect(s.pid).toBeGreaterThan(0);
    }
    expect(sims[0]?.port).not.toBe(sims[1]?.port);
  });

  it('exposes the certificate and an openssl-style SHA-256 thumbprint', () => {
    for (const s of sims) {
      expect(s.thumbprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(s.certificatePem).toMatch(
        /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/,
      );
    }
    expect(sims[0]?.thumbprintSha256).not.toBe(sims[1]?.thumbprintSha256);
  });

  it('serves different, realistic inventories for different seeds', async () => {
    const [a = [], b = []] = await Promise.all(sims.map((s) => vmNames(s)));
    expect(a).toHaveLength(50);
    expect(b).toHaveLength(50);
    expect(new Set(a).size).toBe(50);
    expect(a.every((n) => n.startsWith('t0-'))).toBe(true);
    expect(b.every((n) => n.startsWith('t1-'))).toBe(true);
    expect(a.some((n) => n.includes('_VM'))).toBe(false);
    const strip = (n: string): string => n.slice(3);
    expect(a.map(strip)).not.toEqual(b.map(strip));
  });

  it.skipIf(!existsSync(SYSTEM_PYTHON))('agrees with an independent pyvmomi read', async () => {
    const s = sims[0];
    if (!s) throw new Error('no simulator');
    let stdout: string;
    try {
      ({ stdout } = await execFileP(SYSTEM_PYTHON, [READ_INVENTORY, s.url, 'u', 'p'], {
        maxBuffer: 64 << 20,
      }));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (msg.includes("No module named 'pyVmomi'") || msg.includes('No module named')) return; // pyvmomi absent
      throw err;
    }
    const inv = JSON.parse(stdout) as {
      vms: { name: string; powerState: string; ipAddress: string | null; template: boolean }[];
      hosts: { name: string }[];
      datastores: { name: string; vmCount: number }[];
      clusters: { name: string }[];
    };
    expect(inv.vms).toHaveLength(s.counts.vms);
    expect(inv.hosts).toHaveLength(s.counts.hosts);
    expect(inv.datastores).toHaveLength(s.counts.datastores);
    expect(inv.clusters).toHaveLength(s.counts.clusters);
    expect(inv.vms.map((v) => v.name).sort()).toEqual(await vmNames(s));
    const states = new Set(inv.vms.map((v) => v.powerState));
    expect(states.has('poweredOn')).toBe(true);
    expect(states.has('poweredOff')).toBe(true);
    // never an IP on a VM that is not running
    expect(inv.vms.filter((v) => v.ipAddress !== null && v.powerState !== 'poweredOn')).toEqual([]);
    expect(inv.vms.some((v) => v.template)).toBe(true);
    expect(inv.datastores.some((d) => d.vmCount === 0)).toBe(true);
  });

  it('kill() terminates the simulator at once', async () => {
    const s = await startSimulator({ vms: 4 });
    expect(isAlive(s.pid)).toBe(true);
    expect(await canConnect(s.port)).toBe(true);
    s.kill();
    await waitUntil(() => !isAlive(s.pid), { timeout: 5_000, what: 'the simulator to exit' });
    expect(await canConnect(s.port)).toBe(false);
    await s.stop(); // idempotent after a kill
  });

  it('stopAll() leaves no simulator process behind', async () => {
    const pids = sims.map((s) => s.pid);
    expect(pids.every(isAlive)).toBe(true);
    await stopAll();
    expect(liveSimulatorCount()).toBe(0);
    expect(pids.some(isAlive)).toBe(false);
  });
});
