/**
 * `audit-trail`: the gateway's activity ledger records what agents run (`logging.audit.enabled`,
 * on by default, and `logging.audit.executionIdentity`, off by default) where the release has
 * it, so the next incident leaves a record. The release has it when its own docs document it.
 */
import { getPath } from '../../../activities/openclaw/config.js';
import { result, type PostureCheck } from '../types.js';

export const auditTrailCheck: PostureCheck = {
  id: 'audit-trail',
  reads: "logging.audit.enabled and logging.audit.executionIdentity in the config; whether the installed release documents them (its docs/gateway/config-observability.md)",
  probes: { 'audit-trail.supported': '[ -n "$RESPOND_PKG_DIR" ] && grep -l "executionIdentity" "$RESPOND_PKG_DIR/docs/gateway/config-observability.md" 2>/dev/null' },
  evaluate({ gateway, probe }) {
    const supported = probe['audit-trail.supported']?.code === 0;
    const enabled = getPath(gateway.config, ['logging', 'audit', 'enabled']);
    const identity = getPath(gateway.config, ['logging', 'audit', 'executionIdentity']);
    const evidence = { supported, enabled: enabled ?? 'default (on)', executionIdentity: identity ?? 'default (off)' };
    if (!gateway.version) return result('audit-trail', 'unknown', 'openclaw not installed', evidence);
    if (!supported) {
      return result('audit-trail', 'warn', `${gateway.version} has no activity ledger: the next incident leaves only logs`, evidence, { runbook: 'upgrade', text: 'upgrade to a release with the audit ledger (2026.9.x): respond start upgrade' });
    }
    const fixCmd = { runbook: 'harden', step: 'audit-trail', text: 'respond start harden, or: openclaw config set logging.audit.enabled true; openclaw config set logging.audit.executionIdentity true' };
    if (enabled === false) return result('audit-trail', 'fail', 'logging.audit.enabled is false: agent runs and tool actions are not recorded', evidence, fixCmd);
    if (identity !== true) return result('audit-trail', 'warn', 'ledger on, but logging.audit.executionIdentity is off: runs are not attributable to who started them', evidence, fixCmd);
    return result('audit-trail', 'pass', 'activity ledger on with execution identity', evidence);
  },
};
