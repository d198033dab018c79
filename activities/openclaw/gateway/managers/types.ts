import type { OpenclawHost } from '../../host.js';
import type { GatewayDiscovery, ManagerRef } from '../types.js';

type RefOf<K extends ManagerRef['kind']> = Extract<ManagerRef, { kind: K }>;

/**
 * One way of running a gateway (respond's pidfile, a bare process, a supervisor, a service
 * manager, a container). Stop and start go through the same module, so a gateway comes back the
 * way it was run. A method that throws means the manager refused: the caller turns that into a
 * manual instruction and waits for a person, it never falls back to killing the process.
 */
export interface GatewayManager<K extends ManagerRef['kind'] = ManagerRef['kind']> {
  kind: K;
  /** The exact commands, for the plan an approver reads. No secrets. */
  commands(h: OpenclawHost, ref: RefOf<K>): { stop: string; start: string };
  /** Asks the gateway to stop; the caller then waits for the port to close. */
  stop(h: OpenclawHost, ref: RefOf<K>, d: GatewayDiscovery): Promise<{ detail?: string }>;
  /** Starts it again; returns how it is managed from now on (a bare process becomes respond's). */
  start(h: OpenclawHost, ref: RefOf<K>): Promise<ManagerRef>;
}

/** A manager that is one command run with `stop` or `start` (systemd, containers, supervisors, fleet). */
export function verbManager<K extends ManagerRef['kind']>(
  kind: K,
  commands: GatewayManager<K>['commands'],
  run: (h: OpenclawHost, ref: RefOf<K>, verb: 'stop' | 'start') => Promise<void>,
): GatewayManager<K> {
  return {
    kind,
    commands,
    async stop(h, ref) {
      await run(h, ref, 'stop');
      return {};
    },
    async start(h, ref) {
      await run(h, ref, 'start');
      return ref;
    },
  };
}
