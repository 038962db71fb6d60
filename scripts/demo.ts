/**
 * `npm run demo`: three simulated vCenters with different, varied inventories, registered with
 * their certificates pinned, synced with the real `vminer` CLI; then it waits (Ctrl-C stops all).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulators, stopAll, type RunningSimulator } from '../src/testing/vcsim.js';
import { VsphereOps } from '../src/testing/vsphere-ops.js';
import { MoRef } from '../src/main/engine/vsphere/xml.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'out/main/cli.js');
const DATA = path.join(ROOT, '.vminer-demo');
const USER = 'svc-readonly@vsphere.local';
const PASSWORD = 'Demo&Pass<1>';

function checkPrerequisites(): void {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  const govmomi = fs.existsSync('/usr/share/gocode/src/github.com/vmware/govmomi/simulator');
  if (go.status !== 0 || !govmomi) {
    console.error(
      'The demo runs the govmomi vCenter simulator, which needs Go and the govmomi source:\n\n' +
        '  sudo apt-get install -y golang-go golang-github-vmware-govmomi-dev\n\n' +
        '(or run `bash scripts/setup.sh`, which installs everything the demo and the tests need)',
    );
    process.exit(1);
  }
}

function vminer(args: string[], input?: string): number {
  const r = spawnSync(process.execPath, [CLI, ...args, '--data-dir', DATA], {
    input,
    stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'],
  });
  return r.status ?? 1;
}

function vminerJson<T>(args: string[]): T {
  const r = spawnSync(process.execPath, [CLI, ...args, '--data-dir', DATA, '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vminer ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Waits until the server keeps every vCenter live (its update stream open). */
async function untilLive(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const vcs = vminerJson<{ sync: { status: string } }[]>(['vcenter', 'list']);
    if (vcs.every((v) => v.sync.status === 'live')) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the vCenters did not go live within 30 s');
}

/**
 * What an administrator does on a normal morning, through the vSphere API of the first simulator,
 * so the Changes page and `vminer changes` have something to show: two VMs powered off, one given
 * more memory, one renamed. Live updates record them within a second.
 */
async function someChanges(sim: RunningSimulator, vcenter: string): Promise<string> {
  const vms = vminerJson<{ moid: string; name: string; memoryMb: number }[]>([
    'list',
    'vms',
    '--where',
    `vcenter=${vcenter}`,
    '--where',
    'powerState=poweredOn',
    '--sort',
    'name',
    '--limit',
    '4',
  ]);
  if (vms.length < 4) return '';
  const ops = await VsphereOps.connect(sim.url, USER, PASSWORD, sim.thumbprintSha256);
  try {
    await ops.powerOff(vms[0]!.moid);
    await ops.powerOff(vms[1]!.moid);
    await ops.reconfigure(vms[2]!.moid, { memoryMb: vms[2]!.memoryMb * 2 });
    await ops.rename(new MoRef('VirtualMachine', vms[3]!.moid), `${vms[3]!.name}-old`);
  } finally {
    await ops.close();
  }
  return (
    `${vms[0]!.name} and ${vms[1]!.name} powered off, ${vms[2]!.name} given ${vms[2]!.memoryMb * 2} MB, ` +
    `${vms[3]!.name} renamed to ${vms[3]!.name}-old`
  );
}

async function main(): Promise<void> {
  checkPrerequisites();
  console.log('Building vMiner…');
  const build = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) process.exit(build.status ?? 1);

  console.log('Starting three simulated vCenters (the first start also builds the simulator, ~20 s)…');
  const sites = [
    { name: 'vc-ams', vms: 400, clusters: 3, seed: 101 },
    { name: 'vc-fra', vms: 600, clusters: 4, seed: 202 },
    { name: 'vc-nyc', vms: 250, clusters: 2, seed: 303 },
  ];
  const sims = await startSimulators(sites.length, (i) => ({
    seed: sites[i]!.seed,
    vms: sites[i]!.vms,
    clusters: sites[i]!.clusters,
    hostsPerCluster: 4,
    datastores: 4,
    portgroups: 3,
    namePrefix: sites[i]!.name.slice(3),
    user: USER,
    password: PASSWORD,
  }));

  fs.rmSync(DATA, { recursive: true, force: true });
  for (const [i, sim] of sims.entries()) {
    const code = vminer(
      [
        'vcenter',
        'add',
        sites[i]!.name,
        '--url',
        sim.url,
        '--user',
        USER,
        '--password-stdin',
        '--trust-presented-cert',
      ],
      PASSWORD,
    );
    if (code !== 0) throw new Error(`registering ${sites[i]!.name} failed`);
  }
  console.log('\nSyncing all three…');
  vminer(['sync']);
  console.log('');
  vminer(['stats']);

  // Server mode on the same data: the browser UI and the REST API.
  const adminPassword = randomBytes(9).toString('base64url');
  const serve = spawn(
    process.execPath,
    [CLI, 'serve', '--data-dir', DATA, '--port', process.env['VMINER_DEMO_PORT'] ?? '0'],
    {
      env: { ...process.env, VMINER_ADMIN_PASSWORD: adminPassword },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const apiUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /REST API: (http:\/\/\S+)\/api/.exec(out);
      if (m) resolve(m[1]!);
    });
    serve.once('exit', (code) => reject(new Error(`vminer serve exited (${code}) before it was ready`)));
  });

  console.log('\nWaiting for live updates, then changing a few VMs in vc-ams through the vSphere API…');
  await untilLive();
  const changed = await someChanges(sims[0]!, sites[0]!.name);
  if (changed) console.log(`  ${changed}`);

  const rel = path.relative(process.cwd(), DATA) || '.';
  console.log(`
Open the vMiner UI:  ${apiUrl}/
  user: admin   one-time demo password: ${adminPassword}
  (chat, inventory grids, vCenters, settings; the same UI the desktop app shows)

The REST API is at ${apiUrl}/api  (docs: ${apiUrl}/docs)

Try the API:
  TOKEN=$(curl -s -X POST ${apiUrl}/api/auth/login -H 'content-type: application/json' \\
          -d '{"username":"admin","password":"${adminPassword}"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')
  curl -s -H "Authorization: Bearer $TOKEN" '${apiUrl}/api/vms?powerState=poweredOff&sort=memoryMb:desc&limit=5'
  curl -s -H "Authorization: Bearer $TOKEN" -X POST ${apiUrl}/api/query/chat \\
          -H 'content-type: application/json' -d '{"query":"top 5 vms by memory in cluster fra-Prod-A"}'

Or the command line, read-only beside the server (the cache is in ${rel}):
  export VMINER_DATA_DIR=${DATA}
  npx vminer ask "shoe me all powred off vms"
  npx vminer ask "count vms by cluster"
  npx vminer ask "datastores with less than 15% free"
  npx vminer ask "where is ams-web-prd-001"
  npx vminer list hosts
  npx vminer changes --since 1h          (what changed, as the live updates recorded it)
  npx vminer ask "which vms were powered off today"
  npx vminer stats

Everything keeps running until you press Ctrl-C.`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  serve.kill('SIGTERM');
  await new Promise((r) => serve.once('exit', r));
  console.log('\nStopping the simulators…');
  await stopAll();
}

main().catch(async (err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll();
  process.exit(1);
});
