/**
 * Secret references: runbooks and workflow history carry `env:NAME` or `file:/path`, never the value.
 * Only an activity resolves one, uses it, and returns fingerprints.
 */
import { readFile } from 'node:fs/promises';
import { UserError } from '../../lib/errors.js';
import { loadConfig } from '../../lib/config.js';
import { fingerprint, SECRET_REF_PATTERN } from '../../lib/secrets.js';
import { rotationDir, RotationVault } from '../rotation/vault.js';

export { SECRET_REF_PATTERN };

export async function resolveSecretRef(ref: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)];
    if (value === undefined || value === '') throw new UserError(`secret reference ${ref}: variable is not set`);
    return value;
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    try {
      return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new UserError(`secret reference ${ref}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  // Internal: a value a rotation keeps in the worker's vault while it hunts or scrubs old copies.
  const rotation = /^rotation:([0-9a-f]{32}):(old|new)$/.exec(ref);
  if (rotation) return new RotationVault(rotationDir(loadConfig(env).stateDir)).value(rotation[1]!, rotation[2] as 'old' | 'new');
  throw new UserError(`secret reference "${ref}" is not env:NAME or file:PATH`);
}

export async function resolveSecretRefs(refs: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, ref] of Object.entries(refs)) out[name] = await resolveSecretRef(ref);
  return out;
}

/** Fingerprints of what each reference resolves to now; "unresolved (...)" when it does not. */
export async function fingerprintSecretRefs(refs: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, ref] of Object.entries(refs)) {
    try {
      out[name] = fingerprint(await resolveSecretRef(ref));
    } catch (err) {
      out[name] = `unresolved (${(err as Error).message})`;
    }
  }
  return out;
}
