/** The codec server as configured for this installation: its keys, its token, the UI's origin. */
import type { Server } from 'node:http';
import type { RespondConfig } from '../config.js';
import { UserError } from '../errors.js';
import { AesGcmCodec } from './aes-gcm-codec.js';
import { startCodecServer } from './server.js';
import { keyringSource } from './settings.js';
import { ensureToken, tokenPath } from './token.js';

export function uiOrigin(config: RespondConfig): string {
  return `http://127.0.0.1:${config.embedded.uiPort}`;
}

export function codecEndpoint(config: RespondConfig, port = config.codecServerPort): string {
  return `http://127.0.0.1:${port}`;
}

export async function serveCodec(config: RespondConfig, port: number, log?: (line: string) => void): Promise<Server> {
  const source = keyringSource(config.codec);
  if (!source) throw new UserError('the payload codec is off (RESPOND_CODEC=off): nothing to serve');
  source();
  const file = tokenPath(config.stateDir);
  ensureToken(file);
  const token = (): string => ensureToken(file);
  try {
    return await startCodecServer(port, { codec: new AesGcmCodec(source), token, allowedOrigin: uiOrigin(config), log });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`codec server cannot listen on 127.0.0.1:${port}: ${code ?? (err as Error).message}`, 5);
  }
}
