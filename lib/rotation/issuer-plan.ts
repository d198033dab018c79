/**
 * What the plan says for a key whose new value comes from an issuer (skill keys and model-provider
 * keys in an auth profile): the approver sees where it is written and how it is proven. Pure.
 */
import type { CredentialSpec } from '../inventory/schema.js';

type IssuedCredential = Extract<CredentialSpec, { provider: 'openclaw-skill-key' | 'openclaw-auth-profile' }>;

export function isIssued(c: CredentialSpec | undefined): c is IssuedCredential {
  return c?.provider === 'openclaw-skill-key' || c?.provider === 'openclaw-auth-profile';
}

function where(c: IssuedCredential): string {
  return c.provider === 'openclaw-skill-key'
    ? `skills.entries.${c.skill}.${c.field} in the host's OpenClaw config (in place, 0600; openclaw config patch --stdin for a JSON5 file)`
    : `auth profile ${c.profileId} through openclaw models auth paste-api-key (key on stdin)`;
}

export function issuedAction(c: IssuedCredential, phase: 'create' | 'set' | 'revoke'): string {
  if (phase === 'create') return "ask the credential's issuer (its issue command, on the worker) for a new key and record it as pending in the worker vault (0600); the old key keeps working";
  if (phase === 'set') {
    return `write the new key to ${where(c)}, prove it with the issuer's test command and by reading it back, keep both valid through the overlap; on failure put the old one back and discard the new one at the issuer`;
  }
  return "run the issuer's revoke command on the old key, prove it refused with the issuer's test command where there is one, quarantine and redact every copy of it in the host scope, drop both values from the vault";
}
