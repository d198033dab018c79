/**
 * The cost of one approval signature check as the Update validator runs it (parse the SSHSIG,
 * match the pinned key, verify), per key type, with real ssh-keygen keys. Prints JSON.
 * Usage: npm run bench:signatures [-- --runs N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalMessage } from '../lib/signing/approval-message.js';
import { parseAllowedSigners } from '../lib/signing/allowed-signers.js';
import { checkApprovalSignature } from '../workflows/approval-signature.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 200;
const dir = mkdtempSync(join(tmpdir(), 'respond-bench-sig-'));
const types: Record<string, string[]> = {
  'ssh-ed25519': ['-t', 'ed25519'],
  'ecdsa-sha2-nistp256': ['-t', 'ecdsa', '-b', '256'],
  'ecdsa-sha2-nistp384': ['-t', 'ecdsa', '-b', '384'],
  'ecdsa-sha2-nistp521': ['-t', 'ecdsa', '-b', '521'],
  'ssh-rsa 3072 (rsa-sha2-512)': ['-t', 'rsa', '-b', '3072'],
  'ssh-rsa 4096 (rsa-sha2-512)': ['-t', 'rsa', '-b', '4096'],
};
const claim = { run: 'respond-bench-INC-1', step: 'gate', hash: 'ab'.repeat(32), approver: 'alice' };

const results: Record<string, { firstMs: number; medianMs: number; p95Ms: number; runs: number }> = {};
try {
  for (const [name, args] of Object.entries(types)) {
    const key = join(dir, name.replace(/\W+/g, '-'));
    execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-f', key]);
    const signers = parseAllowedSigners(`alice ${readFileSync(`${key}.pub`, 'utf8')}`, key);
    const signature = execFileSync('ssh-keygen', ['-Y', 'sign', '-n', 'respond-approval', '-f', key], { input: approvalMessage(claim), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    const policy = { run: claim.run, signers };
    const check = () => checkApprovalSignature(policy, { ...claim, signature });
    const t0 = performance.now();
    check();
    const firstMs = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      check();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 1000) / 1000;
    results[name] = { firstMs: round(firstMs), medianMs: round(times[Math.floor(runs / 2)]!), p95Ms: round(times[Math.floor(runs * 0.95)]!), runs };
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ node: process.version, what: 'checkApprovalSignature: parse SSHSIG, match pinned key, verify (pure JS, as in the workflow sandbox)', results }, null, 2));
