/** `logging`: log levels not debug or trace; no debug, insecure or dangerous switches on. */
import { getPath } from '../../../activities/openclaw/config.js';
import { result, type PostureCheck } from '../types.js';

const VERBOSE = new Set(['debug', 'trace', 'silly', 'verbose']);
/** Config keys whose name says they weaken a safety (OpenClaw's `dangerously*` family and kin). */
const DANGEROUS_KEY = /^(dangerously[A-Z]|allowInsecure|allowUnsafe)/;

export function dangerousSwitches(config: unknown, path: string[] = []): string[] {
  if (!config || typeof config !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    const here = [...path, k];
    if (DANGEROUS_KEY.test(k) && v === true) out.push(here.join('.'));
    else if (v && typeof v === 'object') out.push(...dangerousSwitches(v, here));
  }
  return out;
}

export const loggingCheck: PostureCheck = {
  id: 'logging',
  reads: "logging.level and logging.consoleLevel in the config, every dangerously*/allowInsecure*/allowUnsafe* switch set true, the gateway's command line flags",
  probes: {},
  evaluate({ gateway }) {
    const cfg = gateway.config;
    const levels = { level: getPath(cfg, ['logging', 'level']), consoleLevel: getPath(cfg, ['logging', 'consoleLevel']) };
    const verbose = Object.entries(levels).filter(([, v]) => typeof v === 'string' && VERBOSE.has(v.toLowerCase())).map(([k, v]) => `logging.${k}=${String(v)}`);
    const switches = dangerousSwitches(cfg);
    const evidence = { ...levels, dangerous: switches };
    if (cfg === null) return result('logging', 'unknown', 'config not readable', {});
    const problems = [...verbose, ...switches];
    if (problems.length === 0) return result('logging', 'pass', `log level ${String(levels.level ?? 'default')}; no dangerous switches`, evidence);
    return result('logging', 'fail', problems.join(', '), evidence, {
      runbook: 'harden',
      step: 'logging',
      text: `respond start harden (sets logging.level info${switches.length ? ' and unsets the switches' : ''}), or: ${[...verbose.map((v) => `openclaw config set ${v.split('=')[0]} info`), ...switches.map((s) => `openclaw config unset ${s}`)].join('; ')}`,
    });
  },
};
