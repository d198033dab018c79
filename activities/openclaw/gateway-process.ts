/**
 * The gateways respond runs itself: in their own session, the session leader's PID in
 * `$STATE/respond/gateway.pid`, so a stop signals the whole process group (2026.1.x runs a
 * launcher plus an `openclaw-gateway` child). Gateways run any other way are handled by the
 * managers in `gateway/managers/`.
 */
import { posix } from 'node:path';
import { heartbeatIfInActivity } from '../hosts/heartbeat.js';
import { withNodePath, openclawEnv, type OpenclawHost } from './host.js';
import { probeGateway, type ProbeResult } from './gateway-probe.js';

const START = `
d="$1/respond"; mkdir -p "$d"; pidf="$d/gateway.pid"
if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then echo "already $(cat "$pidf")"; exit 0; fi
cd "$1" || exit 1
shift
nohup setsid sh -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$d/gateway.out" 2>&1 &
i=0; while [ ! -s "$pidf" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
echo "started $(cat "$pidf" 2>/dev/null)"
`;

const STOP = `
pidf="$1/respond/gateway.pid"
[ -f "$pidf" ] || { echo none; exit 0; }
pid=$(cat "$pidf")
if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pidf"; echo none; exit 0; fi
kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
i=0; while kill -0 -- "-$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i+1)); done
if kill -0 -- "-$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null; sleep 0.5; fi
rm -f "$pidf"; echo "stopped $pid"
`;

const STATUS = `
pidf="$1/respond/gateway.pid"
if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then echo "running $(cat "$pidf")"; else echo none; fi
`;

export interface GatewayProcessState {
  /** PID of the gateway respond started, if it is still running. */
  pid: number | null;
}

export function gatewayLogPath(h: OpenclawHost): string {
  return posix.join(h.stateDir, 'respond', 'gateway.out');
}

export async function gatewayProcess(h: OpenclawHost): Promise<GatewayProcessState> {
  const r = await h.t.run('sh', ['-c', STATUS, 'sh', h.stateDir], { timeoutMs: 15_000 });
  const m = /^running (\d+)/.exec(r.stdout.trim());
  return { pid: m ? Number(m[1]) : null };
}

/** Probes the host's gateway through the transport (an SSH forward on remote hosts). */
export async function probeHostGateway(h: OpenclawHost, token: string | undefined, timeoutMs = 10_000): Promise<ProbeResult> {
  const fwd = await h.t.forwardPort(h.spec.gatewayPort);
  try {
    return await probeGateway(`ws://127.0.0.1:${fwd.localPort}`, { token, timeoutMs });
  } finally {
    await fwd.close();
  }
}

/** Starts the gateway the way respond runs it (its own session, pidfile). Does not wait for readiness. */
export async function launchRespondManaged(h: OpenclawHost): Promise<number | null> {
  if (!h.pkg) throw new Error(`host ${h.spec.name}: OpenClaw is not installed, cannot start the gateway`);
  const r = await withNodePath(
    h,
    'sh',
    ['-c', START, 'sh', h.stateDir, h.spec.node, h.pkg.bin, 'gateway', '--port', String(h.spec.gatewayPort)],
    { timeoutMs: 30_000, env: openclawEnv(h) },
  );
  if (r.exitCode !== 0) throw new Error(`host ${h.spec.name}: gateway start failed: ${r.stderr.trim()}`);
  return Number(/(\d+)/.exec(r.stdout)?.[1] ?? NaN) || null;
}

/** Waits until the gateway answers (and accepts `token`, when one is known). */
export async function waitReady(h: OpenclawHost, token: string | undefined, timeoutMs: number, stillStarting?: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const fwd = await h.t.forwardPort(h.spec.gatewayPort);
  try {
    let last: ProbeResult | undefined;
    while (Date.now() < deadline) {
      heartbeatIfInActivity({ waiting: 'gateway' });
      last = await probeGateway(`ws://127.0.0.1:${fwd.localPort}`, { token, timeoutMs: 5_000 });
      if (token ? last.token === 'accepted' : last.live) return;
      if (last.token === 'rejected') throw new Error(`host ${h.spec.name}: gateway started but rejects the configured token`);
      if (stillStarting && !(await stillStarting())) {
        throw new Error(`host ${h.spec.name}: gateway exited during start-up: ${await logTail(h)}`);
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error(`host ${h.spec.name}: gateway not ready after ${Math.round(timeoutMs / 1000)} s (${last?.detail ?? 'no answer'})`);
  } finally {
    await fwd.close();
  }
}

/** Stops the gateway respond started (its whole process group). Idempotent: nothing running is success. */
export async function stopRespondManaged(h: OpenclawHost): Promise<{ stopped: boolean }> {
  const r = await h.t.run('sh', ['-c', STOP, 'sh', h.stateDir], { timeoutMs: 40_000 });
  if (r.exitCode !== 0) throw new Error(`host ${h.spec.name}: gateway stop failed: ${r.stderr.trim()}`);
  return { stopped: r.stdout.startsWith('stopped') };
}

export async function logTail(h: OpenclawHost, lines = 5): Promise<string> {
  const r = await h.t.run('tail', ['-n', String(lines), gatewayLogPath(h)], { timeoutMs: 10_000 });
  // Gateway logs carry ANSI colour codes; the reader wants words.
  return r.stdout.replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n').join(' | ');
}
