import { dict } from '../../../shared/own.js';

/** A guest OS phrase matches the full name (configured or reported) or the guest id. */
export interface OsFamily {
  /** Substrings of the guest OS full name. */
  names: string[];
  /** Globs on the guest id (config.guestId). */
  ids: string[];
  /** "rhel 8", "windows 2019": the same over one version. */
  version?: (v: string) => { names: string[]; ids: string[] };
}

/** Windows versions: the guest ids vSphere uses for each (windows2019srvNext is Server 2022). */
const WINDOWS_VERSIONS: Record<string, { names: string[]; ids: string[] }> = dict({
  '2008': { names: ['windows server 2008'], ids: ['winLonghorn*', 'windows7Server64Guest'] },
  '2012': { names: ['windows server 2012'], ids: ['windows8Server64Guest'] },
  '2016': { names: ['windows server 2016'], ids: ['windows9Server64Guest'] },
  '2019': { names: ['windows server 2019'], ids: ['windows2019srv_64Guest'] },
  '2022': {
    names: ['windows server 2022'],
    ids: ['windows2019srvNext_64Guest', 'windows2022srvNext_64Guest'],
  },
  '2025': { names: ['windows server 2025'], ids: ['windows2022srvNext_64Guest'] },
  '7': { names: ['windows 7'], ids: ['windows7Guest', 'windows7_64Guest'] },
  '10': { names: ['windows 10'], ids: ['windows9Guest', 'windows9_64Guest'] },
  '11': { names: ['windows 11'], ids: ['windows11_64Guest'] },
});

const linuxVersion =
  (fullName: string, id: string) =>
  (v: string): { names: string[]; ids: string[] } => ({
    names: [`${fullName} ${v}`],
    ids: [`${id}${v}_*`, `${id}${v}Guest`],
  });

/** Guest OS families: a name typed in a question → the guest full names and ids it covers. */
export const OS_FAMILIES: Record<string, OsFamily> = dict({
  windows: {
    names: ['windows'],
    ids: ['win*'],
    version: (v) => WINDOWS_VERSIONS[v] ?? { names: [`windows ${v}`, `windows server ${v}`], ids: [] },
  },
  linux: { names: ['linux', 'centos', 'photon', 'ubuntu', 'debian', 'rhel', 'red hat'], ids: [] },
  ubuntu: { names: ['ubuntu'], ids: ['ubuntu*'], version: (v) => ({ names: [`ubuntu ${v}`], ids: [] }) },
  rhel: { names: ['red hat'], ids: ['rhel*'], version: linuxVersion('red hat enterprise linux', 'rhel') },
  redhat: { names: ['red hat'], ids: ['rhel*'], version: linuxVersion('red hat enterprise linux', 'rhel') },
  centos: { names: ['centos'], ids: ['centos*'], version: linuxVersion('centos', 'centos') },
  suse: { names: ['suse'], ids: ['sles*'], version: linuxVersion('suse linux enterprise', 'sles') },
  sles: { names: ['suse'], ids: ['sles*'], version: linuxVersion('suse linux enterprise', 'sles') },
  debian: { names: ['debian'], ids: ['debian*'], version: linuxVersion('debian gnu/linux', 'debian') },
  photon: { names: ['photon'], ids: ['vmwarePhoton*'] },
  oracle: {
    names: ['oracle linux'],
    ids: ['oracleLinux*'],
    version: linuxVersion('oracle linux', 'oracleLinux'),
  },
  freebsd: { names: ['freebsd'], ids: ['freebsd*'] },
});
