/**
 * What a credential provider does, one module per provider: read the value in use, issue a new
 * one, install it where consumers read it, test it against the real service, and revoke the old
 * one and prove it is refused. Every method is idempotent: a retried activity calls it again.
 */
import type { OpenclawHost } from '../../openclaw/host.js';

export interface ProofResult {
  ok: boolean;
  /** Words for the plan, audit log and status; never a value. */
  detail: string;
}

export interface RotationProvider {
  name: string;
  /** `cut-over`: the service holds one value, so set ends the old one; `dual`: both work until revoke. */
  overlapKind: 'cut-over' | 'dual';
  /** The value consumers use now; throws a UserError naming why it cannot be rotated. */
  current(h: OpenclawHost): Promise<string>;
  issue(): Promise<string>;
  install(h: OpenclawHost, value: string): Promise<void>;
  /** The new value works (and, for cut-over, the old one no longer does). */
  test(h: OpenclawHost, next: string, old: string): Promise<ProofResult>;
  /** The old value is refused by the live service. */
  proveRevoked(h: OpenclawHost, old: string): Promise<ProofResult>;
}
