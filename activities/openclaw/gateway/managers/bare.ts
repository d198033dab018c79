/**
 * A gateway started by hand (a shell, tmux, nohup): respond adopts it. Before it is signalled,
 * its environment, working directory and executable are copied on the host into
 * `$STATE/respond/adopted/` (0700 dir, 0600 files; values never cross the transport), then it
 * gets SIGTERM, and SIGKILL if the port is still held after the grace period. It is started
 * again from that record, detached, under respond's pidfile, and respond manages it from then on.
 *
 * OpenClaw retitles its processes (`openclaw`, `openclaw-gateway`), which overwrites the command
 * line in /proc. The command line is then rebuilt: the same Node, the installed entry script,
 * `gateway --port <port>` and `--bind loopback` when every live socket was loopback.
 */
import { posix } from 'node:path';
import type { OpenclawHost } from '../../host.js';
import { respondPidfile } from '../discover.js';
import type { GatewayDiscovery, ManagerRef } from '../types.js';
import type { GatewayManager } from './types.js';
import { runManagerCommand } from './run.js';

export const STOP_GRACE_S = 30;

export function adoptedDir(stateDir: string): string {
  return posix.join(stateDir, 'respond', 'adopted');
}

export interface AdoptedRecord {
  pid: number;
  exe: string;
  cwd: string;
  argv: 'recorded' | 'reconstructed';
  port: number;
  bind: GatewayDiscovery['bind'];
  via: string;
  /** The user and group it ran as: a root respond starts it again as them, never as root. */
  uid: number;
  gid: number;
  adoptedAt: string;
}

const ADOPT = `
set -e
d="$1"; pid="$2"; mode="$3"
umask 077
mkdir -p "$d"; chmod 700 "$d"
cat "/proc/$pid/environ" > "$d/environ.tmp"; chmod 600 "$d/environ.tmp"; mv "$d/environ.tmp" "$d/environ"
if [ "$mode" = recorded ]; then cat "/proc/$pid/cmdline" > "$d/argv.tmp"; chmod 600 "$d/argv.tmp"; mv "$d/argv.tmp" "$d/argv"; else rm -f "$d/argv"; fi
printf 'ids=%s %s\\n' "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")"
`;

const TERM = `
pids="$1"; grace="$2"
kill -TERM $pids 2>/dev/null || true
i=0; while [ $i -lt $((grace*5)) ]; do alive=""; for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done; [ -z "$alive" ] && { echo stopped; exit 0; }; sleep 0.2; i=$((i+1)); done
kill -KILL $alive 2>/dev/null || true; sleep 0.5; echo "killed$alive"
`;

/** Run with the gateway's own Node: spawns the recorded command with the recorded environment. */
const SPAWN_JS = `
const fs = require('fs'), cp = require('child_process');
const [dir, pidf, log, ...rebuilt] = process.argv.slice(1);
const meta = JSON.parse(fs.readFileSync(dir + '/adopted.json', 'utf8'));
const env = {};
for (const kv of fs.readFileSync(dir + '/environ', 'utf8').split('\\0')) { const i = kv.indexOf('='); if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1); }
const argv = rebuilt.length ? rebuilt : fs.readFileSync(dir + '/argv', 'utf8').split('\\0').filter((a, i, all) => i < all.length - 1 || a);
const out = fs.openSync(log, 'a', 0o600);
const as = process.getuid() === 0 && meta.uid !== 0 ? { uid: meta.uid, gid: meta.gid } : {};
const child = cp.spawn(argv[0], argv.slice(1), { cwd: meta.cwd, env, detached: true, stdio: ['ignore', out, out], ...as });
fs.writeFileSync(pidf, child.pid + '\\n');
child.unref();
console.log('started ' + child.pid);
`;

export async function readAdopted(h: OpenclawHost): Promise<AdoptedRecord | null> {
  const text = await h.t.readFile(posix.join(adoptedDir(h.stateDir), 'adopted.json'));
  return text ? (JSON.parse(text) as AdoptedRecord) : null;
}

/** The command line a start from the record runs; `null` when the recorded one is used. */
export function rebuiltArgv(h: OpenclawHost, rec: AdoptedRecord): string[] | null {
  if (rec.argv === 'recorded') return null;
  if (!h.pkg) throw new Error(`host ${h.spec.name}: OpenClaw is not installed, cannot start the adopted gateway`);
  return [rec.exe, h.pkg.bin, 'gateway', '--port', String(rec.port), ...(rec.bind === 'loopback' ? ['--bind', 'loopback'] : [])];
}

/** Idempotent: a re-run after the record was written (and the process stopped) finds the record. */
export async function adopt(h: OpenclawHost, ref: Extract<ManagerRef, { kind: 'bare' }>, d: GatewayDiscovery): Promise<AdoptedRecord> {
  const g = d.gateway!;
  if (!g.exe || !g.cwd) throw new Error(`cannot read the executable or working directory of pid ${g.pid}`);
  const dir = adoptedDir(h.stateDir);
  const r = await runManagerCommand(h, 'sh', ['-c', ADOPT, 'sh', dir, String(g.pid), ref.argv]);
  const [uid, gid] = (/ids=(\d+) (\d+)/.exec(r.stdout) ?? []).slice(1).map(Number);
  if (uid === undefined || gid === undefined) throw new Error(`cannot read the user and group of pid ${g.pid}`);
  const rec: AdoptedRecord = { pid: g.pid, exe: g.exe, cwd: g.cwd, argv: ref.argv, port: d.port, bind: d.bind, via: ref.via, uid, gid, adoptedAt: new Date().toISOString() };
  await h.t.writeFile(posix.join(dir, 'adopted.json'), JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
  return rec;
}

export async function startFromRecord(h: OpenclawHost, rec: AdoptedRecord): Promise<number | null> {
  const dir = adoptedDir(h.stateDir);
  const rebuilt = rebuiltArgv(h, rec) ?? [];
  const log = posix.join(h.stateDir, 'respond', 'gateway.out');
  const r = await runManagerCommand(h, rec.exe, ['-e', SPAWN_JS, dir, respondPidfile(h.stateDir), log, ...rebuilt], { timeoutMs: 30_000 });
  return Number(/started (\d+)/.exec(r.stdout)?.[1] ?? NaN) || null;
}

export const bareManager: GatewayManager<'bare'> = {
  kind: 'bare',
  commands(h, ref) {
    return {
      stop: `record pid ${ref.pid}'s environment and directory on the host (0600, ${adoptedDir(h.stateDir)}), SIGTERM it, SIGKILL after ${STOP_GRACE_S} s`,
      start: `${ref.argv === 'recorded' ? 'its recorded command line' : 'its command line rebuilt (the process retitled itself)'} with its recorded environment and directory, detached, supervised by respond's pidfile from then on`,
    };
  },
  async stop(h, ref, d) {
    await adopt(h, ref, d);
    // The launcher and its `openclaw-gateway` child: from the socket's owner up to the adopted process.
    const pids = d.chain.slice(0, d.chain.findIndex((p) => p.pid === ref.pid) + 1).map((p) => p.pid);
    const r = await runManagerCommand(h, 'sh', ['-c', TERM, 'sh', pids.join(' '), String(STOP_GRACE_S)], { timeoutMs: (STOP_GRACE_S + 15) * 1000 });
    const out = r.stdout.trim();
    return out.startsWith('killed') ? { detail: `did not stop within ${STOP_GRACE_S} s of SIGTERM; sent SIGKILL to${out.slice(6)}` } : {};
  },
  async start(h) {
    const rec = await readAdopted(h);
    if (!rec) throw new Error(`no adoption record in ${adoptedDir(h.stateDir)}: respond cannot tell how this gateway was started`);
    const pid = await startFromRecord(h, rec);
    return { kind: 'respond', pid: pid ?? 0 };
  },
};
