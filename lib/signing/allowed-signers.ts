/**
 * The allowed-signers file in git's and ssh-keygen's format (ssh-keygen(1), ALLOWED SIGNERS):
 * `<principals> [options] <key type> <base64 key> [comment]`, one key a line. Only keys valid in
 * the respond-approval namespace are kept; any problem is one line `file:line: problem`.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { approverName } from '../runbook/step-base.js';
import { APPROVAL_NAMESPACE } from './approval-message.js';
import { checkPublicKey, KEY_TYPES, keyFingerprint } from './ssh-keys.js';
import { fromBase64 } from './ssh-wire.js';

/** One approver's key as the workflow pins it: public, so safe in history and the UI. */
export interface PinnedKey {
  type: string;
  /** The public key blob, base64 as in the .pub file. */
  key: string;
  fingerprint: string;
}

export type PinnedSigners = Record<string, PinnedKey[]>;

const entrySchema = z.object({
  principals: z.array(approverName).min(1),
  namespaces: z.array(z.string().min(1, 'an empty namespace')).optional(),
  type: z.enum(KEY_TYPES, { errorMap: () => ({ message: `key type must be one of ${KEY_TYPES.join(', ')}` }) }),
  key: z.string(),
});

export function parseAllowedSigners(text: string, file: string): PinnedSigners {
  const signers: PinnedSigners = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    try {
      const entry = parseLine(line);
      if (entry.namespaces && !entry.namespaces.includes(APPROVAL_NAMESPACE)) return;
      for (const p of entry.principals) (signers[p] ??= []).push({ type: entry.type, key: entry.key, fingerprint: entry.fingerprint });
    } catch (err) {
      throw new UserError(`${where}: ${(err as Error).message}`);
    }
  });
  return signers;
}

function parseLine(line: string) {
  const tokens = tokenize(line);
  const [principals, second] = tokens;
  const hasOptions = second !== undefined && !(KEY_TYPES as readonly string[]).includes(second) && !second.startsWith('ssh-') && !second.startsWith('ecdsa-') && !second.startsWith('sk-');
  const options = hasOptions ? parseOptions(second) : {};
  const [type, key] = tokens.slice(hasOptions ? 2 : 1);
  if (!type || !key) throw new Error('expected <approver> [namespaces="respond-approval"] <key type> <base64 key>');
  const parsed = entrySchema.safeParse({ principals: principals!.split(','), namespaces: options.namespaces, type, key });
  if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
  const blob = fromBase64(key);
  if (!blob) throw new Error('the key is not valid base64');
  const declared = checkPublicKey(blob);
  if (declared !== type) throw new Error(`the key is a ${declared} key, not ${type}`);
  return { ...parsed.data, fingerprint: keyFingerprint(blob) };
}

function parseOptions(text: string): { namespaces?: string[] } {
  const out: { namespaces?: string[] } = {};
  for (const opt of splitOutsideQuotes(text, ',')) {
    const m = /^([a-z-]+)(?:="([^"]*)")?$/i.exec(opt);
    const name = m?.[1]?.toLowerCase();
    if (name === 'namespaces' && m?.[2] !== undefined) out.namespaces = m[2].split(',').map((s) => s.trim());
    else if (name === 'cert-authority') throw new Error('cert-authority keys are not supported: list each approver key');
    else if (name === 'valid-after' || name === 'valid-before') throw new Error(`${name} is not supported: remove the key instead when it expires`);
    else throw new Error(`unknown option "${opt}" (respond reads namespaces="..." only)`);
  }
  return out;
}

function tokenize(line: string): string[] {
  return splitOutsideQuotes(line, ' ').filter((t) => t !== '');
}

function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === sep || (sep === ' ' && ch === '\t'))) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) throw new Error('unterminated quote');
  out.push(cur);
  return out;
}
