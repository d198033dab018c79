/**
 * What a credential provider does, one module per provider: read the value consumers use, issue
 * a new one, install it where they read it, test it against the real service, and revoke the old
 * one and prove it refused. Every method is idempotent: a retried activity calls it again.
 */
import type { OpenclawHost } from '../../openclaw/host.js';

export interface ProofResult {
  ok: boolean;
  /** Words for the plan, audit log and status; never a value. */
  detail: string;
}

/** A secret value and, where the service names it, its public id (an access key id). */
export interface CredentialValue {
  value: string;
  id?: string;
}

export interface RotationProvider<C> {
  name: 'openclaw-gateway' | 'aws-iam-access-key' | 'openclaw-skill-key' | 'openclaw-auth-profile';
  /** `cut-over`: the service holds one value, so set ends the old one; `dual`: both work until revoke. */
  overlapKind: 'cut-over' | 'dual';
  /** The value consumers use now; throws a UserError naming why it cannot be rotated. */
  current(h: OpenclawHost, c: C): Promise<CredentialValue>;
  /** `interruptedAt`: an earlier attempt began issuing then and did not record the result. */
  issue(c: C, old: CredentialValue, interruptedAt?: string): Promise<CredentialValue>;
  install(h: OpenclawHost, c: C, v: CredentialValue): Promise<void>;
  /** The new value works (and, for cut-over, the old one no longer does). */
  test(h: OpenclawHost, c: C, next: CredentialValue, old: CredentialValue): Promise<ProofResult>;
  /** Ends the old value at the service and proves it refused. */
  revoke(h: OpenclawHost, c: C, old: CredentialValue): Promise<ProofResult>;
  /**
   * Ends the credentials the old value could have obtained and that outlive it (a gateway's
   * paired-device tokens), those minted before the cut-over at `cutoverMs`, and proves them gone.
   */
  revokeIssuedUnder?(h: OpenclawHost, c: C, cutoverMs: number): Promise<ProofResult & { revoked: string[] }>;
  /** Removes a pending value from the service after a failed or abandoned rotation. */
  discard(c: C, next: CredentialValue): Promise<void>;
}
