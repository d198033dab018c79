/**
 * Every posture check, in the order the matrix shows them. Adding one: a module in this folder,
 * plus one line here.
 */
import { UserError } from '../../errors.js';
import type { PostureCheck } from '../types.js';
import { auditTrailCheck } from './audit-trail.js';
import { authCheck } from './auth.js';
import { autoUpdatesCheck } from './auto-updates.js';
import { bindCheck } from './bind.js';
import { containerCheck } from './container.js';
import { credentialAgeCheck } from './credential-age.js';
import { egressCheck } from './egress.js';
import { firewallCheck } from './firewall.js';
import { loggingCheck } from './logging.js';
import { memoryBackupCheck } from './memory-backup.js';
import { openclawAuditCheck } from './openclaw-audit.js';
import { proxyTlsCheck } from './proxy-tls.js';
import { skillsCheck } from './skills.js';
import { tokenLeaksCheck } from './token-leaks.js';
import { versionCheck } from './version.js';

export const POSTURE_CHECKS: readonly PostureCheck[] = [
  versionCheck,
  bindCheck,
  authCheck,
  firewallCheck,
  autoUpdatesCheck,
  memoryBackupCheck,
  skillsCheck,
  egressCheck,
  proxyTlsCheck,
  containerCheck,
  loggingCheck,
  credentialAgeCheck,
  tokenLeaksCheck,
  auditTrailCheck,
  openclawAuditCheck,
];

export const CHECK_IDS = POSTURE_CHECKS.map((c) => c.id);

export function selectChecks(skip: readonly string[]): PostureCheck[] {
  for (const s of skip) if (!CHECK_IDS.includes(s)) throw new UserError(`unknown posture check "${s}" (checks: ${CHECK_IDS.join(', ')})`);
  return POSTURE_CHECKS.filter((c) => !skip.includes(c.id));
}
