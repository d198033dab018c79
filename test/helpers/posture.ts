/** Runs one check's probes on a host through its real transport and evaluates them. */
import { runProbes, type ProbeEnv } from '../../activities/posture/probe.js';
import type { Transport } from '../../activities/hosts/transports/index.js';
import type { CheckResult, PostureCheck, PostureInput, ProbeSections } from '../../lib/posture/types.js';

/** A host with no gateway: these checks read the host, not OpenClaw. */
export const NO_GATEWAY_ENV: ProbeEnv = { gatewayPort: 18789, gatewayPid: null, stateDir: '/nonexistent', configPath: '/nonexistent/openclaw.json', home: '/root', packageDir: null };

export function postureInput(probe: ProbeSections, settings: Partial<PostureInput['settings']> = {}, gateway?: PostureInput['gateway']): PostureInput {
  return {
    host: 'test-host',
    probe,
    gateway: gateway ?? {
      version: null,
      packageDir: null,
      stateDir: NO_GATEWAY_ENV.stateDir,
      configPath: NO_GATEWAY_ENV.configPath,
      config: null,
      port: NO_GATEWAY_ENV.gatewayPort,
      bind: 'loopback',
      listening: [],
      live: false,
      pid: null,
      user: null,
      authMode: 'token',
      manager: { kind: 'none' },
      home: NO_GATEWAY_ENV.home,
    },
    records: {
      lastSnapshot: null,
      credentials: [],
      leakedFingerprints: [],
      authSecret: { present: false, fingerprint: null, length: 0, distinct: 0, placeholder: false, changedAt: null },
      tokenHunt: { fingerprint: null, locations: [] },
      openclawFindings: null,
      openclawErrors: [],
      skills: null,
    },
    settings: {
      minimumVersion: '2026.1.29',
      snapshotMaxAgeHours: 24,
      credentialMaxAgeDays: 90,
      egressAllowlist: [],
      allowedInboundPorts: [22, 80, 443],
      now: new Date().toISOString(),
      ...settings,
    },
  };
}

export async function runCheck(t: Transport, check: PostureCheck): Promise<{ probe: ProbeSections; result: CheckResult }> {
  const probe = await runProbes(t, check.probes, NO_GATEWAY_ENV, { perProbeSec: 15, timeoutMs: 60_000 });
  return { probe, result: check.evaluate(postureInput(probe)) };
}
