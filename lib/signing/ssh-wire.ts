/**
 * Reading the SSH wire encoding (RFC 4251 §5: uint32, string, mpint) from bytes that came from
 * outside, so every read is bounds-checked and a short buffer is an error, not garbage.
 * Pure: runs in the workflow sandbox.
 */
export class WireReader {
  private pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  uint32(): number {
    if (this.pos + 4 > this.buf.length) throw new Error(`${this.what} is truncated`);
    const b = this.buf;
    const n = ((b[this.pos]! << 24) | (b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!) >>> 0;
    this.pos += 4;
    return n;
  }

  bytes(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) throw new Error(`${this.what} is truncated`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): Uint8Array {
    return this.bytes(this.uint32());
  }

  text(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.string());
  }

  /** A non-negative mpint (the only kind SSH keys and signatures carry). */
  mpint(): bigint {
    const b = this.string();
    if (b.length > 0 && b[0]! & 0x80) throw new Error(`${this.what} has a negative integer`);
    return bytesToBigint(b);
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new Error(`${this.what} has trailing bytes`);
  }
}

export function bytesToBigint(b: Uint8Array): bigint {
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return n;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function wireString(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, bytes.length);
  return concatBytes(len, bytes);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Strict base64 (the sandbox has no Buffer); `null` when `text` is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const n = [0, 1, 2, 3].reduce((acc, k) => (acc << 6) | Math.max(B64.indexOf(text[i + k]!), 0), 0);
    for (const shift of [16, 8, 0]) if (o < out.length) out[o++] = (n >> shift) & 0xff;
  }
  return out;
}

export function toBase64(bytes: Uint8Array, pad = true): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < 4; k++) s += k < chars ? B64[(n >> (18 - 6 * k)) & 63] : pad ? '=' : '';
  }
  return s;
}
