/**
 * The codec's keys: a JSON keyring file (0600) holding every key ever active, so payloads written
 * under an old key stay readable after a rotation. Key bytes never leave this module except into
 * the cipher.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, statSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { createOnce, requirePrivate, writePrivateTemp } from './private-file.js';

const KEY_BYTES = 32;

const base64Key = z
  .string()
  .refine((s) => Buffer.from(s, 'base64').length === KEY_BYTES, { message: `must be base64 of ${KEY_BYTES} bytes` });

const keyringSchema = z
  .object({
    version: z.literal(1),
    active: z.string().min(1),
    keys: z.array(z.object({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), key: base64Key, createdAt: z.string() })).min(1),
  })
  .refine((k) => k.keys.some((e) => e.id === k.active), { message: 'active key id is not among keys' })
  .refine((k) => new Set(k.keys.map((e) => e.id)).size === k.keys.length, { message: 'duplicate key id' });

export type KeyringFile = z.infer<typeof keyringSchema>;

export interface Keyring {
  activeId: string;
  keys: Map<string, Buffer>;
  created: Map<string, string>;
}

export function newKeyId(): string {
  return `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
}

function freshEntry() {
  return { id: newKeyId(), key: randomBytes(KEY_BYTES).toString('base64'), createdAt: new Date().toISOString() };
}

function toKeyring(file: KeyringFile): Keyring {
  return {
    activeId: file.active,
    keys: new Map(file.keys.map((e) => [e.id, Buffer.from(e.key, 'base64')])),
    created: new Map(file.keys.map((e) => [e.id, e.createdAt])),
  };
}

function serialize(file: KeyringFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function readKeyringFile(path: string): KeyringFile {
  let text: string;
  try {
    requirePrivate(path, 'codec keyring');
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${path}: cannot read codec keyring: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${path}: codec keyring is not valid JSON`);
  }
  const parsed = keyringSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${path}: codec keyring: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The CLI and the worker may both be first; only one fresh key ever wins. */
export function ensureKeyringFile(path: string): KeyringFile {
  try {
    return readKeyringFile(path);
  } catch (err) {
    if (!(err instanceof UserError) || !/ENOENT/.test(err.message)) throw err;
  }
  const entry = freshEntry();
  createOnce(path, serialize({ version: 1, active: entry.id, keys: [entry] }));
  return readKeyringFile(path);
}

export function rotateKeyringFile(path: string): { previous: string; active: string } {
  const file = readKeyringFile(path);
  const entry = freshEntry();
  const next: KeyringFile = { version: 1, active: entry.id, keys: [...file.keys, entry] };
  renameSync(writePrivateTemp(path, serialize(next)), path);
  return { previous: file.active, active: entry.id };
}

/** Re-reads the file when it changes, so a long-running worker picks up `rotate-key` without a restart. */
export class KeyringFileSource {
  private cached?: { stamp: string; ring: Keyring };

  constructor(
    readonly path: string,
    private readonly create: boolean,
  ) {}

  current(): Keyring {
    let stamp: string;
    try {
      const st = statSync(this.path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      stamp = 'missing';
    }
    if (this.cached?.stamp === stamp) return this.cached.ring;
    const ring = toKeyring(this.create ? ensureKeyringFile(this.path) : readKeyringFile(this.path));
    if (stamp === 'missing') stamp = 'created';
    this.cached = { stamp, ring };
    return ring;
  }
}

/** One key from the environment (an external cluster's secret store); its id is a fingerprint, not the key. */
export function keyringFromEnvKey(text: string, fingerprint: (b: Buffer) => string): Keyring {
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) throw new UserError(`RESPOND_CODEC_KEY must be base64 of ${KEY_BYTES} bytes`);
  const id = `env-${fingerprint(key)}`;
  return { activeId: id, keys: new Map([[id, key]]), created: new Map([[id, 'environment']]) };
}
