/** Putting an exact OpenClaw version in place with the host's own npm and Node. */
import { readPackage, withNodePath, npmOf, type OpenclawHost } from './host.js';

export const INSTALL_TIMEOUT_MS = 15 * 60_000;

/** The command respond would run, for the approval plan. */
export function installCommand(h: OpenclawHost, version: string): string[] {
  const npm = npmOf(h.spec);
  const common = ['install', '--no-audit', '--no-fund', '--save-exact', `openclaw@${version}`];
  const prefix = h.spec.install.method === 'npm' ? h.spec.install.prefix : undefined;
  // A prefix is an npm project so the operator's package.json (overrides, pins) applies.
  return prefix ? [npm, '--prefix', prefix, ...common] : [npm, '-g', ...common];
}

/** Idempotent: when the exact version is already installed, nothing runs. */
export async function installVersion(h: OpenclawHost, version: string): Promise<{ changed: boolean; durationMs: number }> {
  if (h.pkg?.name === 'openclaw' && h.pkg.version === version) return { changed: false, durationMs: 0 };
  const [cmd, ...args] = installCommand(h, version);
  const r = await withNodePath(h, cmd!, args, { timeoutMs: INSTALL_TIMEOUT_MS, heartbeat: true });
  if (r.exitCode !== 0) {
    const why = r.stderr
      .split('\n')
      .filter((l) => /npm (error|ERR!)/.test(l))
      .slice(0, 3)
      .join(' ')
      .trim();
    throw new Error(`host ${h.spec.name}: npm install openclaw@${version} failed (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}): ${why || r.stderr.trim().slice(-300)}`);
  }
  h.pkg = await readPackage(h.t, h.packageRoot, 'openclaw');
  if (h.pkg?.version !== version) {
    throw new Error(`host ${h.spec.name}: npm reported success but openclaw is at ${h.pkg?.version ?? 'nothing'}, not ${version}`);
  }
  return { changed: true, durationMs: r.durationMs };
}
