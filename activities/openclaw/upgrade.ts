/**
 * Moving a host's OpenClaw to a fixed version, as small idempotent pieces a workflow can retry:
 * plan, stop, install, start, verify. Rollback is the same pieces with the previous version.
 */
import { posix } from 'node:path';
import { UserError } from '../../lib/errors.js';
import { probeHostGateway } from './gateway-process.js';
import { describeManager, managerCommands } from './gateway/control.js';
import { discoverGateway } from './gateway/discover.js';
import type { ManagerRef } from './gateway/types.js';
import type { TokenVerdict } from './gateway-probe.js';
import { hostToken, type OpenclawHost } from './host.js';
import { installCommand } from './install.js';
import { compareVersions, isOpenclawVersion } from '../../lib/openclaw-version.js';

export interface UpgradePlan {
  host: string;
  current: string;
  target: string;
  minimumVersion: string;
  /** `none` when the host already runs the target: the upgrade then changes nothing. */
  action: 'none' | 'upgrade' | 'downgrade';
  gatewayLive: boolean;
  /** What runs the gateway: stop and start go through it (see gateway/managers). */
  manager: ManagerRef;
  /** True when only a person can stop or start it: the upgrade then waits for their confirmation. */
  manual: boolean;
  /** What will run, in order, for the approver; rollback lists what runs if any of it fails. */
  commands: string[];
  rollback: string[];
}

export async function planUpgrade(h: OpenclawHost, target: string, minimumVersion: string): Promise<UpgradePlan> {
  if (!isOpenclawVersion(target)) throw new UserError(`upgrade target "${target}" is not an OpenClaw version (expected YYYY.M.D)`);
  if (compareVersions(target, minimumVersion) < 0) {
    throw new UserError(`upgrade target ${target} is below the minimum safe version ${minimumVersion}; refusing`);
  }
  if (!h.pkg) throw new UserError(`host ${h.spec.name}: no OpenClaw install found under ${h.packageRoot || 'the npm global root'}`);
  if (h.pkg.name !== 'openclaw') {
    throw new UserError(`host ${h.spec.name}: runs the legacy package ${h.pkg.name}@${h.pkg.version}; migrating it to openclaw is not supported yet`);
  }
  const current = h.pkg.version;
  const live = (await probeHostGateway(h, undefined, 5_000)).live;
  const cmp = compareVersions(target, current);
  const action = cmp === 0 ? 'none' : cmp > 0 ? 'upgrade' : 'downgrade';
  const d = await discoverGateway(h);
  if (d.manager.kind === 'openclaw-fleet') {
    throw new UserError(
      `host ${h.spec.name}: the gateway on port ${h.spec.gatewayPort} is ${describeManager(d.manager)}; upgrade it with \`openclaw fleet upgrade ${d.manager.tenant} --image <image of openclaw ${target}>\` (respond does not npm-install into a container)`,
    );
  }
  if (d.manager.kind === 'docker') {
    throw new UserError(
      `host ${h.spec.name}: the gateway on port ${h.spec.gatewayPort} runs in ${describeManager(d.manager)}; upgrade its image to openclaw ${target} instead (respond does not npm-install into a container)`,
    );
  }
  const cmds = managerCommands(h, d.manager);
  const via = `(${describeManager(d.manager)})`;
  const stop = `stop gateway on port ${h.spec.gatewayPort} ${via}: ${cmds.stop}`;
  const start = `start gateway: ${d.manager.kind === 'none' ? `${h.spec.node} ${posix.join(h.pkg.dir, posix.basename(h.pkg.bin))} gateway --port ${h.spec.gatewayPort}` : cmds.start}`;
  const verify = `verify openclaw ${target} installed, gateway live and accepting the host's token`;
  return {
    host: h.spec.name,
    current,
    target,
    minimumVersion,
    action,
    gatewayLive: live,
    manager: d.manager,
    manual: cmds.manual,
    commands: action === 'none' ? [] : [stop, installCommand(h, target).join(' '), start, verify],
    rollback: action === 'none' ? [] : [stop, installCommand(h, current).join(' '), start, `verify openclaw ${current} and its token`],
  };
}

export interface VerifyResult {
  host: string;
  version: string | null;
  live: boolean;
  token: TokenVerdict;
}

/** Throws unless the host runs `version` and its gateway accepts the host's own token. */
export async function verifyUpgrade(h: OpenclawHost, version: string): Promise<VerifyResult> {
  const token = hostToken(h);
  const probe = await probeHostGateway(h, token);
  const result: VerifyResult = { host: h.spec.name, version: h.pkg?.version ?? null, live: probe.live, token: probe.token };
  if (result.version !== version) throw new Error(`host ${h.spec.name}: expected openclaw ${version}, found ${result.version ?? 'none'}`);
  if (!probe.live) throw new Error(`host ${h.spec.name}: gateway on port ${h.spec.gatewayPort} is not live after the change`);
  if (token && probe.token !== 'accepted') {
    throw new Error(`host ${h.spec.name}: gateway does not accept the host's token (${probe.token}${probe.detail ? `: ${h.t.redact(probe.detail)}` : ''})`);
  }
  return result;
}
