/**
 * AES-256-GCM over the whole payload (metadata and data), so the server sees neither the
 * value nor its original encoding. Each payload gets its own random IV; the key id rides in
 * plain metadata so a rotated keyring can still pick the right key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Keyring } from './keyring.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CodecKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecKeyError';
  }
}

const text = new TextEncoder();
const untext = new TextDecoder();

/** The inner payload as [4-byte header length][JSON metadata, base64 values][data]. */
function frame(p: Payload): Buffer {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) meta[k] = Buffer.from(v).toString('base64');
  const header = Buffer.from(JSON.stringify(meta));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  return Buffer.concat([len, header, Buffer.from(p.data ?? new Uint8Array())]);
}

function unframe(b: Buffer): Payload {
  const len = b.readUInt32BE(0);
  const meta = JSON.parse(b.subarray(4, 4 + len).toString('utf8')) as Record<string, string>;
  return {
    metadata: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(b.subarray(4 + len)),
  };
}

export function encodingOf(p: Payload): string | undefined {
  const e = p.metadata?.encoding;
  return e ? untext.decode(e) : undefined;
}

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keyring: () => Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const ring = this.keyring();
    const key = ring.keys.get(ring.activeId)!;
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: a payload relabelled with another id fails to decrypt.
      cipher.setAAD(Buffer.from(ring.activeId));
      const body = Buffer.concat([cipher.update(frame(p)), cipher.final()]);
      return {
        metadata: { encoding: text.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text.encode(ring.activeId) },
        data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    let ring: Keyring | undefined;
    return payloads.map((p) => {
      // Runs recorded before the codec was switched on carry plain json payloads.
      if (encodingOf(p) !== ENCRYPTED_ENCODING) return p;
      ring ??= this.keyring();
      const rawId = p.metadata?.[KEY_ID_METADATA];
      const id = rawId ? untext.decode(rawId) : '';
      if (!id) throw new CodecKeyError('encrypted payload has no encryption-key-id');
      const key = ring.keys.get(id);
      if (!key) throw new CodecKeyError(`payload encrypted with key ${id}, which is not in the codec keyring`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new CodecKeyError(`encrypted payload (key ${id}) is truncated`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      try {
        return unframe(Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]));
      } catch {
        throw new CodecKeyError(`payload encrypted with key ${id} failed authentication (wrong key or tampered)`);
      }
    });
  }
}
