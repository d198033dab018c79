/** The gateway managers, one module each, by the kind discovery assigns. */
import type { ManagerRef } from '../types.js';
import { bareManager } from './bare.js';
import { containerManager } from './container.js';
import { openclawFleetManager } from './openclaw-fleet.js';
import { respondManager } from './respond.js';
import { supervisedManager } from './supervised.js';
import { systemdSystemManager, systemdUserManager } from './systemd.js';
import type { GatewayManager } from './types.js';

const MANAGERS: { [K in ManagerRef['kind']]?: GatewayManager<K> } = {
  respond: respondManager,
  bare: bareManager,
  'supervised-other': supervisedManager,
  'systemd-system': systemdSystemManager,
  'systemd-user': systemdUserManager,
  docker: containerManager,
  'openclaw-fleet': openclawFleetManager,
};

/** The module for a manager, or null when only a person can stop and start this gateway. */
export function managerFor(ref: ManagerRef): GatewayManager | null {
  return (MANAGERS[ref.kind] as GatewayManager | undefined) ?? null;
}

export type { GatewayManager };
