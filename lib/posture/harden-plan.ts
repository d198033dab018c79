/**
 * What `harden` changes in a host's OpenClaw config, derived from that host's posture results
 * (so the approval shows, and its hash covers, the exact diff): bind to loopback, a token where
 * none is set, debug logging and dangerous switches off, the activity ledger on. Pure. Firewall,
 * proxy and container fixes are not here: respond shows those for a person to apply.
 */
import type { CheckResult } from './types.js';

export interface HardenChange {
  check: string;
  key: string;
  /** What the config holds now (`null`: unset). Applying refuses when the host changed since. */
  from: unknown;
  /** `null`: unset the key. */
  to: unknown;
  /** The new value is a fresh random token, generated on the worker and delivered to a file. */
  secret?: boolean;
}

export interface HardenPlan {
  changes: HardenChange[];
  /** Whether the gateway must restart to apply them (a bind change does not hot-reload). */
  restart: boolean;
  /** Failing checks harden cannot fix, with why. */
  notHere: Array<{ check: string; why: string }>;
}

const FIXABLE_ELSEWHERE: Record<string, string> = {
  version: 'the upgrade runbook fixes it',
  'credential-age': 'the rotate runbook fixes it',
  'token-leaks': 'rotate, then sweep-rotated-token',
  firewall: 'respond does not edit a firewall: apply the commands shown',
  'proxy-tls': 'respond does not edit a proxy: apply the config shown',
  container: 'respond does not recreate containers: apply the compose settings shown',
  egress: 'a person decides whether the destinations are legitimate',
  'openclaw-audit': 'see the findings; openclaw security audit --fix applies OpenClaw’s own fixes',
};

export function hardenPlan(checks: readonly CheckResult[], opts: { tokenFile?: string }): HardenPlan {
  const plan: HardenPlan = { changes: [], restart: false, notHere: [] };
  for (const c of checks) {
    if (c.status === 'pass' || c.status === 'unknown') continue;
    const e = c.evidence as Record<string, unknown>;
    switch (c.id) {
      case 'bind':
        if (e.configured !== 'loopback') plan.changes.push({ check: 'bind', key: 'gateway.bind', from: e.configured ?? null, to: 'loopback' });
        if (e.live) plan.restart = true;
        break;
      case 'logging':
        for (const k of ['level', 'consoleLevel'] as const) {
          const v = e[k];
          if (typeof v === 'string' && /^(debug|trace|silly|verbose)$/i.test(v)) plan.changes.push({ check: 'logging', key: `logging.${k}`, from: v, to: 'info' });
        }
        for (const s of (e.dangerous as string[] | undefined) ?? []) plan.changes.push({ check: 'logging', key: s, from: true, to: null });
        break;
      case 'audit-trail':
        if (e.supported !== true) break;
        if (e.enabled === false) plan.changes.push({ check: 'audit-trail', key: 'logging.audit.enabled', from: false, to: true });
        if (e.executionIdentity !== true) plan.changes.push({ check: 'audit-trail', key: 'logging.audit.executionIdentity', from: e.executionIdentity === 'default (off)' ? null : (e.executionIdentity ?? null), to: true });
        break;
      case 'auth': {
        const noSecret = (e.length as number | undefined) === 0;
        const open = e.mode !== 'token' && e.mode !== 'password' && e.mode !== 'trusted-proxy';
        if (!noSecret && !open) {
          plan.notHere.push({ check: 'auth', why: 'a weak or compromised token: the rotate runbook replaces it' });
          break;
        }
        if (!opts.tokenFile) {
          plan.notHere.push({ check: 'auth', why: 'no tokenFile given to deliver a new token to (--set tokenFile=...)' });
          break;
        }
        if (e.mode !== 'token') plan.changes.push({ check: 'auth', key: 'gateway.auth.mode', from: e.mode ?? null, to: 'token' });
        plan.changes.push({ check: 'auth', key: 'gateway.auth.token', from: null, to: `new random token, delivered to ${opts.tokenFile}`, secret: true });
        break;
      }
      case 'memory-backup':
      case 'skills':
        // The runbook's snapshot and quarantine-skills steps do these.
        break;
      default:
        plan.notHere.push({ check: c.id, why: FIXABLE_ELSEWHERE[c.id] ?? 'no safe automatic fix' });
    }
  }
  return plan;
}
