/**
 * Signed approvals: an approval counts only with an SSHSIG signature, by a key pinned for that
 * approver when the run started, over the canonical message for this run, step and hash.
 * Pure and deterministic: the Update validator and the Signal handler both call it.
 */
import { APPROVAL_NAMESPACE, approvalMessage } from '../lib/signing/approval-message.js';
import type { PinnedSigners } from '../lib/signing/allowed-signers.js';
import { keyFingerprint } from '../lib/signing/ssh-keys.js';
import { parseSshsig, verifySshsig } from '../lib/signing/sshsig.js';
import { equalBytes, fromBase64 } from '../lib/signing/ssh-wire.js';

export interface SigningPolicy {
  /** The run id the signed message must name (the workflow id, stable across continue-as-new). */
  run: string;
  signers: PinnedSigners;
}

/** The signer's key fingerprint; throws a one-line reason when the signature must not count. */
export function checkApprovalSignature(policy: SigningPolicy, req: { step: string; hash: string; approver: string; signature?: unknown }): string {
  if (req.signature === undefined || req.signature === null || req.signature === '') {
    throw new Error(`step ${req.step} needs a signed approval (signedApprovals): respond approve ${policy.run} --hash … --as ${req.approver} --sign KEY`);
  }
  let sig;
  try {
    sig = parseSshsig(req.signature as string);
  } catch (err) {
    throw new Error(`malformed signature: ${(err as Error).message}`);
  }
  const fingerprint = keyFingerprint(sig.publicKey);
  if (sig.namespace !== APPROVAL_NAMESPACE) throw new Error(`signature by ${fingerprint} is for namespace "${sig.namespace}", not ${APPROVAL_NAMESPACE}`);
  const keys = policy.signers[req.approver] ?? [];
  if (keys.length === 0) throw new Error(`approver "${req.approver}" has no key in the allowed signers pinned when the run started`);
  if (!keys.some((k) => { const blob = fromBase64(k.key); return blob !== null && equalBytes(blob, sig.publicKey); })) {
    throw new Error(`key ${fingerprint} is not an allowed signer for "${req.approver}"`);
  }
  const message = new TextEncoder().encode(approvalMessage({ run: policy.run, step: req.step, hash: req.hash, approver: req.approver }));
  if (!verifySshsig(sig, message)) {
    throw new Error(`signature by ${fingerprint} does not match this approval (signed for another run, step, hash or approver)`);
  }
  return fingerprint;
}
