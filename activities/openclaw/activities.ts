/**
 * OpenClaw host activities. Each opens the host afresh (one discovery command plus config read),
 * so any of them can run after a worker restart with nothing carried over in memory.
 */
import { resolveSecretRef } from '../secrets/refs.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { loadInventory, selectHosts } from '../../lib/inventory/load.js';
import { asActivity } from '../hosts/failures.js';
import { createTransport, type Transport } from '../hosts/transports/index.js';
import type { SshOptions } from '../hosts/transports/ssh.js';
import { collectFacts, type HostFacts } from './facts.js';
import { checkManual, startGateway, stopGateway, type ManualAction, type StartOutcome, type StopOutcome } from './gateway/control.js';
import { discoverGateway } from './gateway/discover.js';
import type { GatewayDiscovery, ManagerRef } from './gateway/types.js';
import { openOpenclawHost, type OpenclawHost } from './host.js';
import { installVersion } from './install.js';
import { planUpgrade, verifyUpgrade, type UpgradePlan, type VerifyResult } from './upgrade.js';
import { MINIMUM_SAFE_VERSION } from '../../lib/openclaw-version.js';

export interface OpenclawActivityDeps {
  ssh?: SshOptions;
  transportFor?: (host: HostSpec) => Transport;
}

export interface HostInput {
  host: HostSpec;
}

export function createOpenclawActivities(deps: OpenclawActivityDeps = {}) {
  const transportFor = deps.transportFor ?? ((host: HostSpec) => createTransport(host, deps.ssh));
  const open = (host: HostSpec): Promise<OpenclawHost> => openOpenclawHost(host, transportFor(host));
  return {
    /** The inventory is read on the worker so the workflow gets plain host entries in its history. */
    async openclawInventoryHosts(input: { inventory: string; hosts: string }): Promise<HostSpec[]> {
      return asActivity(async () => selectHosts(loadInventory(input.inventory), input.hosts));
    },
    /** `tokenRef` (`env:NAME` or `file:PATH`, resolved on the worker) checks a token other than the host's own. */
    async openclawFacts(input: HostInput & { tokenRef?: string; audit?: boolean }): Promise<HostFacts> {
      return asActivity(async () => {
        const token = input.tokenRef ? await resolveSecretRef(input.tokenRef) : undefined;
        return collectFacts(await open(input.host), { token, audit: input.audit });
      });
    },
    async openclawUpgradePlan(input: HostInput & { target: string; minimumVersion?: string }): Promise<UpgradePlan> {
      return asActivity(async () => planUpgrade(await open(input.host), input.target, input.minimumVersion ?? MINIMUM_SAFE_VERSION));
    },
    /** Through whatever runs the gateway; `manual` in the result when only a person can. */
    async openclawGatewayStop(input: HostInput): Promise<StopOutcome> {
      return asActivity(async () => stopGateway(await open(input.host)));
    },
    async openclawInstall(input: HostInput & { version: string }): Promise<{ changed: boolean; durationMs: number }> {
      return asActivity(async () => installVersion(await open(input.host), input.version));
    },
    /** `manager` is what the stop found (histories from before it was passed omit it: the host's record decides). */
    async openclawGatewayStart(input: HostInput & { manager?: ManagerRef }): Promise<StartOutcome> {
      return asActivity(async () => startGateway(await open(input.host), input.manager));
    },
    /** After a person confirmed a manual stop or start: checks the host is as they said. */
    async openclawGatewayCheck(input: HostInput & { check: ManualAction['check'] }): Promise<{ manager: ManagerRef }> {
      return asActivity(async () => ({ manager: (await checkManual(await open(input.host), input.check)).manager }));
    },
    async openclawGatewayDiscover(input: HostInput): Promise<GatewayDiscovery> {
      return asActivity(async () => discoverGateway(await open(input.host)));
    },
    async openclawVerify(input: HostInput & { version: string }): Promise<VerifyResult> {
      return asActivity(async () => verifyUpgrade(await open(input.host), input.version));
    },
  };
}

export type OpenclawActivities = ReturnType<typeof createOpenclawActivities>;
