/**
 * SSH public keys and signatures as OpenSSH encodes them (RFC 4253, 5656, 8332, 8709), checked
 * with pure-JS curves so the workflow sandbox (no node:crypto) can verify deterministically.
 * Key types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (signatures rsa-sha2-256/512).
 */
import { ed25519 } from '@noble/curves/ed25519';
import { p256, p384, p521 } from '@noble/curves/nist';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2';
import { bytesToBigint, concatBytes, toBase64, WireReader } from './ssh-wire.js';

export const KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

const ECDSA = {
  'ecdsa-sha2-nistp256': { curve: p256, name: 'nistp256', hash: sha256 },
  'ecdsa-sha2-nistp384': { curve: p384, name: 'nistp384', hash: sha384 },
  'ecdsa-sha2-nistp521': { curve: p521, name: 'nistp521', hash: sha512 },
} as const;

/** `SHA256:<base64, no padding>`, as ssh-keygen -l prints it. */
export function keyFingerprint(blob: Uint8Array): string {
  return `SHA256:${toBase64(sha256(blob), false)}`;
}

/** The key type a public key blob declares; throws when the blob is not a key this module can use. */
export function checkPublicKey(blob: Uint8Array): KeyType {
  const r = new WireReader(blob, 'public key');
  const type = r.text();
  if (type === 'ssh-ed25519') {
    if (r.string().length !== 32) throw new Error('ssh-ed25519 key is not 32 bytes');
  } else if (type in ECDSA) {
    const spec = ECDSA[type as keyof typeof ECDSA];
    if (r.text() !== spec.name) throw new Error(`${type} key names another curve`);
    spec.curve.ProjectivePoint.fromHex(r.string()).assertValidity();
  } else if (type === 'ssh-rsa') {
    r.mpint();
    const n = r.mpint();
    if (n.toString(2).length < 1024) throw new Error('ssh-rsa key is shorter than 1024 bits');
  } else {
    throw new Error(`key type ${type || '(none)'} is not supported (use ${KEY_TYPES.join(', ')})`);
  }
  r.end();
  return type as KeyType;
}

/** Whether `sigBlob` (string algorithm, string signature) is `key`'s signature over `data`. */
export function verifySignatureBlob(keyBlob: Uint8Array, sigBlob: Uint8Array, data: Uint8Array): boolean {
  const key = new WireReader(keyBlob, 'public key');
  const type = key.text();
  const sig = new WireReader(sigBlob, 'signature');
  const alg = sig.text();
  const raw = sig.string();
  sig.end();
  if (type === 'ssh-ed25519') {
    if (alg !== type || raw.length !== 64) return false;
    return ed25519.verify(raw, data, key.string(), { zip215: false });
  }
  if (type in ECDSA) {
    const spec = ECDSA[type as keyof typeof ECDSA];
    if (alg !== type) return false;
    key.text();
    const point = key.string();
    const rs = new WireReader(raw, 'ecdsa signature');
    const r = rs.mpint();
    const s = rs.mpint();
    rs.end();
    // OpenSSH does not normalise s to the low half, so high-s signatures are valid here too.
    const compact = new spec.curve.Signature(r, s).toCompactRawBytes();
    return spec.curve.verify(compact, spec.hash(data), point, { lowS: false, prehash: false, format: 'compact' });
  }
  if (type === 'ssh-rsa') {
    const e = key.mpint();
    const n = key.mpint();
    return verifyRsa(alg, raw, data, e, n);
  }
  return false;
}

// DER DigestInfo prefixes of RFC 8017 §9.2 note 1.
const DIGEST_INFO = {
  'rsa-sha2-256': { hash: sha256, prefix: hex('3031300d060960864801650304020105000420') },
  'rsa-sha2-512': { hash: sha512, prefix: hex('3051300d060960864801650304020305000440') },
} as const;

/** RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2); SHA-1 `ssh-rsa` signatures are refused, as OpenSSH does for SSHSIG. */
function verifyRsa(alg: string, raw: Uint8Array, data: Uint8Array, e: bigint, n: bigint): boolean {
  const spec = DIGEST_INFO[alg as keyof typeof DIGEST_INFO];
  if (!spec) return false;
  const k = Math.ceil(n.toString(16).length / 2);
  if (raw.length !== k) return false;
  const s = bytesToBigint(raw);
  if (s >= n) return false;
  const em = bigintToBytes(modPow(s, e, n), k);
  const t = concatBytes(spec.prefix, spec.hash(data));
  if (k < t.length + 11) return false;
  const expected = concatBytes(new Uint8Array([0, 1]), new Uint8Array(k - t.length - 3).fill(0xff), new Uint8Array([0]), t);
  let diff = 0;
  for (let i = 0; i < k; i++) diff |= em[i]! ^ expected[i]!;
  return diff === 0;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
  }
  return result;
}

function bigintToBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function hex(text: string): Uint8Array {
  return new Uint8Array(text.match(/../g)!.map((h) => parseInt(h, 16)));
}
