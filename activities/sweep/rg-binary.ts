/**
 * Which rg runs the sweep. Locally: the binary from @vscode/ripgrep (rg 15, static). On a remote
 * host: its own rg if it is new enough, else the bundled static binary uploaded into the sweep's
 * private work dir (in /tmp, or in $HOME where /tmp is noexec), which is removed afterwards:
 * nothing is left on a host under investigation.
 */
import { rgPath as bundledRgPath } from '@vscode/ripgrep';
import type { SweepTransport } from './transport.js';

export type RgChoice = 'auto' | 'host' | 'upload';

export interface RgBinary {
  path: string;
  version: string;
  uploaded: boolean;
}

/** rg 13 has --json, --debug skip notes and the regex dialect the rules are written for. */
const MIN_HOST_MAJOR = 13;

/**
 * Where the work dir may go, in order. Hardened hosts mount /tmp noexec, where an uploaded rg
 * cannot run; the user's home is the fallback. `~` means the host user's $HOME.
 */
export const DEFAULT_WORKDIR_PARENTS = ['/tmp', '~'];

export interface Workdir {
  dir: string;
  remove(): Promise<void>;
}

/** A 0700 directory (mktemp -d) for the uploaded binary and rg's output; the caller removes it. */
export async function makeWorkdir(t: SweepTransport, parent = '/tmp'): Promise<Workdir> {
  const base = parent === '~' ? '"$HOME"' : `'${parent.replace(/'/g, `'\\''`)}'`;
  const r = await t.run('sh', ['-c', `mktemp -d ${base}/.respond-sweep.XXXXXXXX`]);
  const dir = r.stdout.trim();
  if (r.exitCode !== 0 || !/\/\.respond-sweep\.[A-Za-z0-9]+$/.test(dir)) {
    throw new Error(`${t.host}: cannot create a private work dir in ${parent}: ${r.stderr.trim()}`);
  }
  return {
    dir,
    async remove() {
      await t.run('rm', ['-rf', '--', dir]);
    },
  };
}

/** The bundled binary does not change while this process runs. */
let bundledVersion: Promise<string> | undefined;

/** The uploaded binary could not run there (noexec mount): try the next parent. */
export class NoExecError extends Error {}

/** A work dir and an rg that runs, trying each parent until an uploaded rg can execute. */
export async function prepare(
  t: SweepTransport,
  choice: RgChoice = 'auto',
  parents: readonly string[] = DEFAULT_WORKDIR_PARENTS,
): Promise<{ work: Workdir; rg: RgBinary }> {
  // Here rg's output streams straight into the detector: no files to put anywhere.
  if (t.local && t.stream && choice !== 'host') {
    bundledVersion ??= versionOf(t, bundledRgPath).catch((e: unknown) => {
      bundledVersion = undefined;
      throw e;
    });
    return { work: { dir: '', remove: async () => {} }, rg: { path: bundledRgPath, version: await bundledVersion, uploaded: false } };
  }
  let last: Error | undefined;
  for (const parent of parents) {
    const work = await makeWorkdir(t, parent);
    try {
      return { work, rg: await acquireRg(t, work.dir, choice) };
    } catch (e) {
      await work.remove();
      if (!(e instanceof NoExecError)) throw e;
      last = e;
    }
  }
  throw last ?? new Error(`${t.host}: no work dir`);
}

export async function acquireRg(t: SweepTransport, workdir: string, choice: RgChoice = 'auto'): Promise<RgBinary> {
  if (t.local && choice !== 'host') {
    return { path: bundledRgPath, version: await versionOf(t, bundledRgPath), uploaded: false };
  }
  if (choice !== 'upload') {
    const probe = await t.run('sh', ['-c', 'command -v rg && rg --version | head -n 1']);
    const [path, versionLine] = probe.stdout.trim().split('\n');
    const major = Number(/ripgrep (\d+)\./.exec(versionLine ?? '')?.[1] ?? 0);
    if (probe.exitCode === 0 && path && major >= MIN_HOST_MAJOR) {
      return { path, version: versionLine!.trim(), uploaded: false };
    }
    if (choice === 'host') throw new Error(`${t.host}: no usable rg (need ripgrep >= ${MIN_HOST_MAJOR})`);
  }
  const arch = (await t.run('uname', ['-sm'])).stdout.trim();
  if (arch !== 'Linux x86_64') {
    throw new Error(`${t.host}: no rg installed and the bundled rg is for Linux x86_64, host is ${arch}`);
  }
  const path = `${workdir}/rg`;
  await t.upload(bundledRgPath, path, 0o700);
  const probe = await t.run(path, ['--version']);
  if (probe.exitCode !== 0) throw new NoExecError(`${t.host}: the uploaded rg cannot run in ${workdir}: ${probe.stderr.trim() || `exit ${probe.exitCode}`}`);
  return { path, version: probe.stdout.split('\n')[0]!.trim(), uploaded: true };
}

async function versionOf(t: SweepTransport, path: string): Promise<string> {
  const r = await t.run(path, ['--version']);
  if (r.exitCode !== 0) throw new Error(`${t.host}: ${path} --version failed: ${r.stderr.trim()}`);
  return r.stdout.split('\n')[0]!.trim();
}
