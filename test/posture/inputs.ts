/**
 * A PostureInput as the collector builds it, for tests that run one check's probes on this
 * machine and hand the gateway facts in directly (the facts gathering has tests of its own).
 */
import { LocalTransport } from '../../activities/hosts/transports/local.js';
import { runProbes } from '../../activities/posture/probe.js';
import type { PostureCheck, PostureGateway, PostureInput } from '../../lib/posture/types.js';
import { postureInput } from '../helpers/posture.js';

export function gatewayFacts(over: Partial<PostureGateway>): PostureGateway {
  return {
    version: '2026.9.6',
    packageDir: null,
    stateDir: '/nonexistent/.openclaw',
    configPath: '/nonexistent/.openclaw/openclaw.json',
    config: {},
    port: 18789,
    bind: 'loopback',
    listening: ['127.0.0.1'],
    live: false,
    pid: null,
    user: null,
    authMode: 'token',
    manager: { kind: 'none' },
    home: '/nonexistent',
    ...over,
  };
}

/** Runs the check's probes through the local transport, then evaluates them. */
export async function runCheck(check: PostureCheck, gateway: PostureGateway, env: Record<string, string> = {}): Promise<ReturnType<PostureCheck['evaluate']> & { input: PostureInput }> {
  const t = new LocalTransport(env);
  const probe = await runProbes(t, check.probes, {
    gatewayPort: gateway.port,
    gatewayPid: gateway.pid,
    stateDir: gateway.stateDir,
    configPath: gateway.configPath,
    home: gateway.home,
    packageDir: gateway.packageDir,
  }).finally(() => t.close());
  const input = postureInput(probe, { allowedInboundPorts: [] }, gateway);
  return { ...check.evaluate(input), input };
}
