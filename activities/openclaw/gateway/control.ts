/**
 * Stopping and starting a host's gateway through whatever runs it. Discovery decides the
 * manager; the manager's own module stops and starts it. What stop decided is kept on the host
 * (`$STATE/respond/manager.json`, no secrets) so a retried stop, or a start in a later activity,
 * uses the same manager after the process is gone. When no module can drive the manager, or the
 * manager refuses, nothing is forced: the result carries the instruction for a person.
 */
import { posix } from 'node:path';
import { UserError } from '../../../lib/errors.js';
import { heartbeatIfInActivity } from '../../hosts/heartbeat.js';
import { gatewayProcess, probeHostGateway, waitReady } from '../gateway-process.js';
import { hostToken, type OpenclawHost } from '../host.js';
import { discoverGateway } from './discover.js';
import { managerFor } from './managers/index.js';
import type { GatewayDiscovery, ManagerRef } from './types.js';

/** What a person must do when respond cannot, and what respond checks before going on. */
export interface ManualAction {
  action: 'stop' | 'start';
  instruction: string;
  /** After the confirmation, respond checks this itself. */
  check: 'port-closed' | 'gateway-ready';
}

export interface StopOutcome {
  /** True when this call stopped a running gateway. */
  stopped: boolean;
  manager: ManagerRef;
  detail?: string;
  manual?: ManualAction;
}

export interface StartOutcome {
  started: boolean;
  /** How the gateway is managed now (an adopted bare process becomes respond's). */
  manager: ManagerRef;
  readyMs: number;
  manual?: ManualAction;
}

const PORT_CLOSE_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 120_000;

export function managerRecordPath(stateDir: string): string {
  return posix.join(stateDir, 'respond', 'manager.json');
}

async function readManagerRecord(h: OpenclawHost): Promise<ManagerRef | null> {
  const text = await h.t.readFile(managerRecordPath(h.stateDir));
  if (!text) return null;
  try {
    return JSON.parse(text) as ManagerRef;
  } catch {
    return null;
  }
}

async function writeManagerRecord(h: OpenclawHost, ref: ManagerRef): Promise<void> {
  await h.t.writeFile(managerRecordPath(h.stateDir), JSON.stringify(ref, null, 2) + '\n', { mode: 0o600 });
}

/** One line naming the process and its manager, for plans and instructions. */
export function describeManager(ref: ManagerRef): string {
  switch (ref.kind) {
    case 'none':
      return 'not running';
    case 'respond':
      return `started by respond (pid ${ref.pid})`;
    case 'bare':
      return `a bare process (pid ${ref.pid}, started from ${ref.via}; command line ${ref.argv})`;
    case 'systemd-system':
      return `systemd unit ${ref.unit}`;
    case 'systemd-user':
      return `systemd user unit ${ref.unit} of ${ref.user ?? `uid ${ref.uid}`}`;
    case 'docker':
      return `${ref.runtime} container ${ref.container ?? '(unknown)'}`;
    case 'openclaw-fleet':
      return `openclaw fleet cell ${ref.tenant} (${ref.runtime} container ${ref.container})`;
    case 'supervised-other':
      return `${ref.supervisor}${ref.name ? ` program ${ref.name}` : ''} (pid ${ref.pid})`;
    case 'unknown':
      return `unknown manager (${ref.reason})`;
  }
}

/** The exact stop and start commands for the plan, or what a person must do. */
export function managerCommands(h: OpenclawHost, ref: ManagerRef): { stop: string; start: string; manual: boolean } {
  const m = managerFor(ref);
  if (m) return { ...m.commands(h, ref), manual: false };
  if (ref.kind === 'none') return { stop: 'nothing to stop', start: `start the gateway the way respond runs it (pidfile)`, manual: false };
  return { stop: manualStopText(h, ref), start: manualStartText(h, ref), manual: true };
}

function manualStopText(h: OpenclawHost, ref: ManagerRef, why?: string): string {
  const pid = 'pid' in ref && ref.pid ? `, pid ${ref.pid}` : '';
  return `a person must stop the gateway on ${h.spec.name} (port ${h.spec.gatewayPort}${pid}; ${describeManager(ref)}${why ? `; ${why}` : ''}) by the means that runs it, then confirm`;
}

function manualStartText(h: OpenclawHost, ref: ManagerRef, why?: string): string {
  return `a person must start the gateway on ${h.spec.name} again (port ${h.spec.gatewayPort}; ${describeManager(ref)}${why ? `; ${why}` : ''}) by the means that runs it, then confirm`;
}

/** Idempotent: a retry after the gateway already stopped returns the manager the first try found. */
export async function stopGateway(h: OpenclawHost): Promise<StopOutcome> {
  const d = await discoverGateway(h);
  if (d.listening.length === 0) {
    return { stopped: false, manager: (await readManagerRecord(h)) ?? { kind: 'none' } };
  }
  await writeManagerRecord(h, d.manager);
  const m = managerFor(d.manager);
  if (!m) return { stopped: false, manager: d.manager, manual: { action: 'stop', instruction: manualStopText(h, d.manager), check: 'port-closed' } };
  let detail: string | undefined;
  try {
    detail = (await m.stop(h, d.manager, d)).detail;
  } catch (err) {
    const why = `${describeManager(d.manager)} refused: ${h.t.redact((err as Error).message)}`;
    return { stopped: false, manager: d.manager, manual: { action: 'stop', instruction: manualStopText(h, d.manager, why), check: 'port-closed' } };
  }
  const still = await waitPortClosed(h, PORT_CLOSE_TIMEOUT_MS);
  if (still) {
    const why = `port still held ${PORT_CLOSE_TIMEOUT_MS / 1000} s after the stop, now by ${describeManager(still.manager)}`;
    return { stopped: false, manager: d.manager, manual: { action: 'stop', instruction: manualStopText(h, still.manager, why), check: 'port-closed' } };
  }
  return { stopped: true, manager: d.manager, ...(detail ? { detail } : {}) };
}

/** Resolves null once nothing listens on the port; otherwise returns what still holds it. */
export async function waitPortClosed(h: OpenclawHost, timeoutMs: number): Promise<GatewayDiscovery | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    heartbeatIfInActivity({ waiting: 'port to close' });
    const d = await discoverGateway(h);
    if (d.listening.length === 0) return null;
    if (Date.now() > deadline) return d;
    await new Promise((res) => setTimeout(res, 500));
  }
}

/**
 * Idempotent: a gateway already answering is left alone. `manager` is what the stop found; without
 * it, the record on the host decides, and with neither respond starts the gateway itself.
 */
export async function startGateway(h: OpenclawHost, manager?: ManagerRef): Promise<StartOutcome> {
  const began = Date.now();
  const token = hostToken(h);
  if ((await probeHostGateway(h, undefined, 3_000)).live) {
    return { started: false, manager: (await discoverGateway(h)).manager, readyMs: 0 };
  }
  let ref = manager ?? (await readManagerRecord(h)) ?? { kind: 'none' };
  if (ref.kind === 'none') ref = { kind: 'respond', pid: 0 };
  const m = managerFor(ref);
  if (!m) return { started: false, manager: ref, readyMs: 0, manual: { action: 'start', instruction: manualStartText(h, ref), check: 'gateway-ready' } };
  let after: ManagerRef;
  try {
    after = await m.start(h, ref);
  } catch (err) {
    const why = `${describeManager(ref)} refused: ${h.t.redact((err as Error).message)}`;
    return { started: false, manager: ref, readyMs: 0, manual: { action: 'start', instruction: manualStartText(h, ref, why), check: 'gateway-ready' } };
  }
  const stillStarting = after.kind === 'respond' ? async () => (await gatewayProcess(h)).pid !== null : undefined;
  await waitReady(h, token, READY_TIMEOUT_MS, stillStarting);
  await writeManagerRecord(h, after);
  return { started: true, manager: after, readyMs: Date.now() - began };
}

/** After a person's confirmation: is the gateway as they said? Throws with what respond sees if not. */
export async function checkManual(h: OpenclawHost, check: ManualAction['check']): Promise<GatewayDiscovery> {
  if (check === 'port-closed') {
    const still = await waitPortClosed(h, 10_000);
    // Not retried: the host will not change until the person acts again.
    if (still) throw new UserError(`host ${h.spec.name}: port ${h.spec.gatewayPort} is still held by ${describeManager(still.manager)}`);
    return discoverGateway(h);
  }
  await waitReady(h, hostToken(h), 30_000).catch((err: Error) => {
    throw new UserError(err.message);
  });
  const d = await discoverGateway(h);
  await writeManagerRecord(h, d.manager);
  return d;
}
