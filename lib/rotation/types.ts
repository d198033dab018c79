/** A rotation as anyone may see it: fingerprints and times, never values. Pure, shared by workflow, worker and CLI. */

/** `creating`: the issue call began and its result is not recorded yet. The four phases of a rotation (create, set, test, finish), plus the ways it can end early. */
export type RotationState = 'creating' | 'pending' | 'installed' | 'tested' | 'promoted' | 'revoked' | 'finished' | 'abandoned';

export type ProviderName = 'openclaw-gateway' | 'aws-iam-access-key' | 'openclaw-skill-key' | 'openclaw-auth-profile';

export interface RotationView {
  key: string;
  provider: ProviderName;
  credential: string;
  host: string;
  /** The run that rotates it (the host's child workflow id). */
  run: string;
  incident: string;
  state: RotationState;
  fingerprints: { old?: string; new: string };
  /** Public ids where the service names its credentials (IAM access key ids): not secret. */
  ids?: { old?: string; new?: string };
  /** ISO times per state reached. */
  times: Partial<Record<RotationState | 'created', string>>;
  /** `cut-over`: one value at a time; `dual`: old and new both work until revoke. */
  overlapKind: 'cut-over' | 'dual';
  overlapMs: number;
  overlapEnds?: string;
  /** Who generates the new value at the cut-over, when the service does (a fleet cell: `openclaw fleet create`); create then records no new fingerprint. */
  newAtInstall?: string;
  /** Where the new value was delivered (a path on the worker), never the value. */
  deliveredTo?: string;
  notes: string[];
  /**
   * A credential several hosts read (one IAM user's keys): every consumer from the inventory and
   * how far each has come. The old value is revoked only when all of them have released it.
   */
  consumers?: Record<string, ConsumerProgress>;
}

export interface ConsumerProgress {
  /** `attached`: reads the old value; `installed`: reads the new one; `released`: done with the old one; `detached`: rolled back to the old one. */
  state: 'waiting' | 'attached' | 'installed' | 'released' | 'detached';
  at?: string;
}
