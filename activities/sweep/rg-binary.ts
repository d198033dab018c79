/**
 * Which rg runs the sweep. Locally: the binary from @vscode/ripgrep (rg 15, static). On a remote
 * host: its own rg if it is new enough, else the bundled static binary uploaded to a private
 * temp dir that is removed afterwards, so nothing is left behind on a host under investigation.
 */
import { rgPath as bundledRgPath } from '@vscode/ripgrep';
import type { SweepTransport } from './transport.js';

export interface RgHandle {
  path: string;
  version: string;
  /** Removes anything uploaded; a no-op when nothing was. */
  release(): Promise<void>;
}

export type RgChoice = 'auto' | 'host' | 'upload';

/** rg 13 has --json, --debug skip notes and the regex dialect the rules are written for. */
const MIN_HOST_MAJOR = 13;

export async function acquireRg(t: SweepTransport, choice: RgChoice = 'auto'): Promise<RgHandle> {
  if (t.local) {
    return { path: bundledRgPath, version: await versionOf(t, bundledRgPath), release: async () => {} };
  }
  if (choice !== 'upload') {
    const probe = await t.run('sh', ['-c', 'command -v rg && rg --version | head -n 1']);
    const [path, versionLine] = probe.stdout.trim().split('\n');
    const major = Number(/ripgrep (\d+)\./.exec(versionLine ?? '')?.[1] ?? 0);
    if (probe.exitCode === 0 && path && major >= MIN_HOST_MAJOR) {
      return { path, version: versionLine!.trim(), release: async () => {} };
    }
    if (choice === 'host') throw new Error(`${t.host}: no usable rg (need ripgrep >= ${MIN_HOST_MAJOR})`);
  }
  const arch = (await t.run('uname', ['-sm'])).stdout.trim();
  if (arch !== 'Linux x86_64') {
    throw new Error(`${t.host}: no rg installed and the bundled rg is for Linux x86_64, host is ${arch}`);
  }
  // mktemp -d creates the directory 0700, so no other user can swap the binary before it runs.
  const dir = (await t.run('mktemp', ['-d', '/tmp/respond-rg.XXXXXXXX'])).stdout.trim();
  if (!dir.startsWith('/tmp/respond-rg.')) throw new Error(`${t.host}: mktemp failed`);
  const path = `${dir}/rg`;
  const release = async () => {
    await t.run('rm', ['-rf', '--', dir]);
  };
  try {
    await t.upload(bundledRgPath, path, 0o700);
    return { path, version: await versionOf(t, path), release };
  } catch (e) {
    await release();
    throw e;
  }
}

async function versionOf(t: SweepTransport, path: string): Promise<string> {
  const r = await t.run(path, ['--version']);
  if (r.exitCode !== 0) throw new Error(`${t.host}: ${path} --version failed: ${r.stderr.trim()}`);
  return r.stdout.split('\n')[0]!.trim();
}
