/**
 * Runs every check's probe snippets on a host as one shell script, in one command over the
 * host's transport (one handshake for all of them), and splits the output back per snippet.
 * A snippet that hangs is cut at its own time limit; the others still report.
 */
import { randomBytes } from 'node:crypto';
import { shQuote, type Transport } from '../hosts/transports/types.js';
import type { ProbeSections } from '../../lib/posture/types.js';

export interface ProbeEnv {
  gatewayPort: number;
  gatewayPid: number | null;
  stateDir: string;
  configPath: string;
  home: string;
  packageDir: string | null;
}

export function probeScript(probes: Record<string, string>, boundary: string, perProbeSec: number): string {
  const lines = ['exec 2>&1'];
  for (const [name, snippet] of Object.entries(probes)) {
    lines.push(
      `printf '\\n%s begin %s\\n' ${boundary} ${shQuote(name)}`,
      `timeout -k 2 ${perProbeSec} sh -c ${shQuote(snippet)} </dev/null`,
      `printf '\\n%s end %s %s\\n' ${boundary} ${shQuote(name)} "$?"`,
    );
  }
  return lines.join('\n');
}

export function parseProbeOutput(text: string, boundary: string): ProbeSections {
  const out: ProbeSections = {};
  const re = new RegExp(`\\n${boundary} begin (\\S+)\\n([\\s\\S]*?)\\n${boundary} end \\1 (\\d+)\\n`, 'g');
  for (const m of `\n${text}\n`.matchAll(re)) out[m[1]!] = { code: Number(m[3]), out: m[2]! };
  return out;
}

export async function runProbes(t: Transport, probes: Record<string, string>, env: ProbeEnv, opts: { perProbeSec?: number; timeoutMs?: number } = {}): Promise<ProbeSections> {
  // A fresh boundary per run, so nothing a host prints can fake or close another section.
  const boundary = `@@respond-${randomBytes(8).toString('hex')}`;
  const r = await t.run('sh', ['-c', probeScript(probes, boundary, opts.perProbeSec ?? 20)], {
    timeoutMs: opts.timeoutMs ?? 120_000,
    env: {
      RESPOND_GW_PORT: String(env.gatewayPort),
      RESPOND_GW_PID: env.gatewayPid ? String(env.gatewayPid) : '',
      RESPOND_STATE_DIR: env.stateDir,
      RESPOND_CONFIG: env.configPath,
      RESPOND_HOME: env.home,
      RESPOND_PKG_DIR: env.packageDir ?? '',
      LC_ALL: 'C',
    },
  });
  return parseProbeOutput(r.stdout, boundary);
}
