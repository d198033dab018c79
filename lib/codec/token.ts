/** The codec server's bearer token: one 0600 file in the state dir, made on first start. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { createOnce, requirePrivate } from './private-file.js';

export function tokenPath(stateDir: string): string {
  return join(stateDir, 'codec-server.token');
}

export function readToken(path: string): string {
  requirePrivate(path, 'codec server token');
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 32) throw new UserError(`${path}: codec server token is too short`);
  return token;
}

export function ensureToken(path: string): string {
  try {
    return readToken(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  createOnce(path, `${randomBytes(32).toString('base64url')}\n`);
  return readToken(path);
}

/** Hashing first makes both sides the same length, so the comparison leaks neither length nor prefix. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export const SESSION_COOKIE = 'respond_codec';

/**
 * Cookies for 127.0.0.1 go to every port on it, so the browser holds a value derived from the
 * token rather than the token itself: it opens this codec server and nothing else.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('respond codec-server browser session').digest('base64url');
}

export function cookieValue(header: string | undefined, name = SESSION_COOKIE): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
