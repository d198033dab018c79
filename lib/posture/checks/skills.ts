/** `skills`: every installed skill is on the allowlist with its hash; none matches a blocked pattern. */
import { result, type PostureCheck } from '../types.js';

export const skillsCheck: PostureCheck = {
  id: 'skills',
  reads: 'every skill directory in the load roots of this release (workspace, managed, extra dirs), hashed, against the skills allowlist',
  probes: {},
  evaluate({ records }) {
    if (records.skillsError) return result('skills', 'unknown', records.skillsError, {});
    const skills = records.skills;
    if (!skills) return result('skills', 'unknown', 'no skills allowlist given (--allowlist or skillsAllowlist in the posture settings)', {});
    const bad = skills.filter((s) => !s.allowed);
    const evidence = { installed: skills.length, notAllowed: bad.map((s) => ({ name: s.name, dir: s.dir, sha256: s.sha256.slice(0, 12), ...(s.blocked ? { blocked: s.blocked } : {}) })) };
    if (bad.length === 0) return result('skills', 'pass', `${skills.length} skill(s), all allowlisted`, evidence);
    const blocked = bad.filter((s) => s.blocked);
    return result('skills', 'fail', `${bad.length} of ${skills.length} skill(s) not allowed: ${bad.map((s) => `${s.name}${s.blocked ? ' (blocked)' : ''}`).join(', ')}`, { ...evidence, blocked: blocked.length }, {
      runbook: 'harden',
      step: 'skills',
      text: 'respond start harden (quarantines every skill the allowlist does not admit, after approval)',
    });
  },
};
