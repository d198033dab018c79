/** Where the codec's keys come from, decided once from the environment. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { UserError } from '../errors.js';
import { AesGcmCodec } from './aes-gcm-codec.js';
import { KeyringFileSource, keyringFromEnvKey, type Keyring } from './keyring.js';

export type CodecSettings =
  | { mode: 'off' }
  | { mode: 'file'; path: string; create: boolean }
  | { mode: 'env' };

export function codecSettings(env: NodeJS.ProcessEnv, stateDir: string, external: boolean): CodecSettings {
  const flag = (env.RESPOND_CODEC ?? '').toLowerCase();
  if (flag === 'off') return { mode: 'off' };
  if (flag !== '' && flag !== 'on') throw new UserError(`RESPOND_CODEC=${env.RESPOND_CODEC}: expected on or off`);
  if (env.RESPOND_CODEC_KEY && env.RESPOND_CODEC_KEYS_FILE) throw new UserError('set RESPOND_CODEC_KEY or RESPOND_CODEC_KEYS_FILE, not both');
  if (env.RESPOND_CODEC_KEY) return { mode: 'env' };
  if (env.RESPOND_CODEC_KEYS_FILE) return { mode: 'file', path: env.RESPOND_CODEC_KEYS_FILE, create: false };
  // Workers of an external cluster run on many machines: a key invented here would be theirs alone.
  if (external) {
    if (flag === 'on') throw new UserError('RESPOND_CODEC=on with TEMPORAL_ADDRESS needs RESPOND_CODEC_KEY or RESPOND_CODEC_KEYS_FILE');
    return { mode: 'off' };
  }
  return { mode: 'file', path: join(stateDir, 'codec-keys.json'), create: true };
}

export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export function keyringSource(s: CodecSettings, env: NodeJS.ProcessEnv = process.env): (() => Keyring) | undefined {
  if (s.mode === 'off') return undefined;
  if (s.mode === 'env') {
    const ring = keyringFromEnvKey(env.RESPOND_CODEC_KEY ?? '', keyFingerprint);
    return () => ring;
  }
  const source = new KeyringFileSource(s.path, s.create);
  return () => source.current();
}

/** The one data converter client, worker and codec server share. */
export function dataConverterFor(s: CodecSettings, env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const source = keyringSource(s, env);
  if (!source) return undefined;
  // Fail now, with the keyring's one-line error, rather than inside the first gRPC call.
  source();
  return { payloadCodecs: [new AesGcmCodec(source)] };
}
