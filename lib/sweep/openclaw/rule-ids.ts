/**
 * The findings that come from reading OpenClaw's files as structure rather than from a rules
 * file: named here once, so reports describe them like any loaded rule.
 */
export const CONFIG_RULE_ID = 'openclaw-config-credential';
export const AUDIT_RULE_ID = 'openclaw-secrets-audit';

export const STRUCTURED_RULES = [
  { id: CONFIG_RULE_ID, family: 'openclaw', severity: 'critical', description: "Credential at a path of OpenClaw's credential matrix (openclaw.json, its backups, auth profile stores, agents' models.json) or in a gateway token file" },
  { id: AUDIT_RULE_ID, family: 'openclaw', severity: 'high', description: "Plaintext residue named by OpenClaw's own `openclaw secrets audit`" },
] as const;
