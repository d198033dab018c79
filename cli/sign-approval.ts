/**
 * Signing an approval with the approver's own SSH key: `ssh-keygen -Y sign` over the canonical
 * message, with a key file or a key held by ssh-agent. The private key never passes through respond.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { UserError } from '../lib/errors.js';
import { APPROVAL_NAMESPACE, approvalMessage, type ApprovalClaim } from '../lib/signing/approval-message.js';

export type SignWith = { keyFile: string } | { agent: true | string };

export async function signApproval(claim: ApprovalClaim, how: SignWith): Promise<string> {
  const message = approvalMessage(claim);
  if ('keyFile' in how) return sshKeygenSign(expandHome(how.keyFile), message);
  const dir = mkdtempSync(join(tmpdir(), 'respond-sign-'));
  try {
    const pub = join(dir, 'key.pub');
    writeFileSync(pub, how.agent === true ? await onlyAgentKey() : `${await readPublicKey(expandHome(how.agent))}\n`, { mode: 0o600 });
    return await sshKeygenSign(pub, message, ['-U']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sshKeygenSign(keyFile: string, message: string, extra: string[] = []): Promise<string> {
  const r = await execa('ssh-keygen', ['-Y', 'sign', '-n', APPROVAL_NAMESPACE, ...extra, '-f', keyFile], { input: message, reject: false });
  if (r.exitCode !== 0 || !String(r.stdout).includes('BEGIN SSH SIGNATURE')) {
    const why = String(r.stderr).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Signing data')).pop() ?? `exit ${r.exitCode}`;
    throw new UserError(`ssh-keygen -Y sign -f ${keyFile}: ${why}`);
  }
  return String(r.stdout).trim();
}

async function onlyAgentKey(): Promise<string> {
  const r = await execa('ssh-add', ['-L'], { reject: false });
  const keys = String(r.stdout).split('\n').filter((l) => /^(ssh-|ecdsa-)/.test(l));
  if (r.exitCode !== 0 || keys.length === 0) throw new UserError('--sign-agent: ssh-agent holds no key (ssh-add ~/.ssh/id_ed25519, or check SSH_AUTH_SOCK)');
  if (keys.length > 1) throw new UserError(`--sign-agent: ssh-agent holds ${keys.length} keys; name one: --sign-agent ~/.ssh/id_ed25519.pub`);
  return `${keys[0]}\n`;
}

async function readPublicKey(path: string): Promise<string> {
  try {
    const line = (await readFile(path, 'utf8')).trim();
    if (!/^(ssh-|ecdsa-)\S+ [A-Za-z0-9+/=]+/.test(line)) throw new UserError(`--sign-agent ${path}: not an SSH public key (give the .pub file)`);
    return line;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`--sign-agent ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function expandHome(path: string): string {
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}
