/**
 * OpenSSH's signature format (PROTOCOL.sshsig), as `ssh-keygen -Y sign` writes it: parsed from the
 * armored text and verified over a message. Pure: the workflow verifies approvals with it.
 */
import { sha256, sha512 } from '@noble/hashes/sha2';
import { checkPublicKey, verifySignatureBlob } from './ssh-keys.js';
import { concatBytes, fromBase64, WireReader, wireString } from './ssh-wire.js';

const MAGIC = new TextEncoder().encode('SSHSIG');
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';
const HASHES = { sha256, sha512 } as const;

export interface Sshsig {
  publicKey: Uint8Array;
  namespace: string;
  reserved: Uint8Array;
  hashAlgorithm: keyof typeof HASHES;
  signature: Uint8Array;
}

/** Throws a one-line reason when `armored` is not a complete SSHSIG. */
export function parseSshsig(armored: string): Sshsig {
  if (typeof armored !== 'string') throw new Error('signature is not text');
  const text = armored.trim();
  if (!text.startsWith(BEGIN)) throw new Error(`signature does not start with ${BEGIN}`);
  if (!text.endsWith(END)) throw new Error(`signature is truncated (no ${END})`);
  const body = text.slice(BEGIN.length, text.length - END.length).replace(/\s+/g, '');
  const blob = fromBase64(body);
  if (!blob) throw new Error('signature is not valid base64');
  const r = new WireReader(blob, 'signature');
  const magic = r.bytes(MAGIC.length);
  if (!magic.every((b, i) => b === MAGIC[i])) throw new Error('signature has no SSHSIG preamble');
  const version = r.uint32();
  if (version !== 1) throw new Error(`signature version ${version} is not supported`);
  const publicKey = r.string();
  const namespace = r.text();
  const reserved = r.string();
  const hashAlgorithm = r.text();
  const signature = r.string();
  r.end();
  if (!(hashAlgorithm in HASHES)) throw new Error(`signature hash algorithm ${hashAlgorithm} is not sha256 or sha512`);
  checkPublicKey(publicKey);
  return { publicKey, namespace, reserved, hashAlgorithm: hashAlgorithm as Sshsig['hashAlgorithm'], signature };
}

/** The bytes the key actually signed: preamble, namespace, reserved, hash algorithm, H(message). */
export function signedData(sig: Pick<Sshsig, 'namespace' | 'reserved' | 'hashAlgorithm'>, message: Uint8Array): Uint8Array {
  return concatBytes(MAGIC, wireString(sig.namespace), wireString(sig.reserved), wireString(sig.hashAlgorithm), wireString(HASHES[sig.hashAlgorithm](message)));
}

export function verifySshsig(sig: Sshsig, message: Uint8Array): boolean {
  try {
    return verifySignatureBlob(sig.publicKey, sig.signature, signedData(sig, message));
  } catch {
    // A signature blob that does not parse is simply not a valid signature.
    return false;
  }
}
