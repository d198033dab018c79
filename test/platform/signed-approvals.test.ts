import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowedSigners } from '../../lib/signing/allowed-signers.js';
import { approvalMessage } from '../../lib/signing/approval-message.js';
import { approveSignal, approveUpdate, type ApprovalRequest } from '../../workflows/definitions.js';
import { checkApprovalSignature } from '../../workflows/approval-signature.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';
import { historyJson, pendingFor, statusOf } from '../helpers/runs.js';

const runbook = join(ROOT, 'test', 'runbooks', 'signed.yaml');

/** A real key pair made by ssh-keygen; returns the private key path and its public line. */
function keygen(dir: string, name: string, type: string[]): { key: string; pub: string; fingerprint: string } {
  const key = join(dir, name);
  execFileSync('ssh-keygen', ['-q', ...type, '-N', '', '-C', `${name}@test`, '-f', key]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { key, pub: readFileSync(`${key}.pub`, 'utf8').trim(), fingerprint };
}

function sshSign(key: string, message: string): string {
  return execFileSync('ssh-keygen', ['-Y', 'sign', '-n', 'respond-approval', '-f', key], { input: message, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] }).trim();
}

/** Cut the armored body short but keep the armor, on a base64 boundary: a truncated, not garbled, signature. */
function truncate(armored: string): string {
  const lines = armored.split('\n');
  const body = lines.slice(1, -1).join('');
  const cut = body.slice(0, Math.floor((body.length - 40) / 4) * 4);
  return [lines[0], cut, lines.at(-1)].join('\n');
}

async function updateRefusal(c: Client, id: string, req: ApprovalRequest): Promise<string> {
  try {
    await c.workflow.getHandle(id).executeUpdate(approveUpdate, { args: [req] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return (err.cause as Error).message;
    throw err;
  }
  throw new Error('the update was accepted');
}

describe('allowed signers file', () => {
  const ed = 'AAAAC3NzaC1lZDI1NTE5AAAAIMIm4VuwuoSAM6eiCfmtoyS9ExNffTw/vzWgCRW9ZTqp';
  it.each([
    ['alice ssh-ed25519', 'signers:1: expected <approver> [namespaces="respond-approval"] <key type> <base64 key>'],
    ['alice ssh-dss AAAA', 'signers:1: key type must be one of ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa'],
    ['alice ssh-ed25519 AAA*', 'signers:1: the key is not valid base64'],
    [`alice ecdsa-sha2-nistp256 ${ed}`, 'signers:1: the key is a ssh-ed25519 key, not ecdsa-sha2-nistp256'],
    [`alice cert-authority ssh-ed25519 ${ed}`, 'signers:1: cert-authority keys are not supported: list each approver key'],
    [`al*ce ssh-ed25519 ${ed}`, 'signers:1: approver names are letters, digits, . _ @ -'],
    [`# comment\n\nalice namespaces="respond-approval ssh-ed25519 ${ed}`, 'signers:3: unterminated quote'],
    [`alice ssh-ed25519 ${ed.slice(0, -8)}`, 'signers:1: public key is truncated'],
  ])('%s -> one line error', (text, error) => {
    expect(() => parseAllowedSigners(text, 'signers')).toThrow(error);
  });

  it('keeps keys for the respond-approval namespace (or all namespaces) and skips the rest', () => {
    const signers = parseAllowedSigners(
      [`alice,bob namespaces="git,respond-approval" ssh-ed25519 ${ed} alice@laptop`, `carol namespaces="git" ssh-ed25519 ${ed}`, `dave ssh-ed25519 ${ed}`].join('\n'),
      'f',
    );
    expect(Object.keys(signers)).toEqual(['alice', 'bob', 'dave']);
    expect(signers.alice![0]!.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('signed approvals on a real Temporal server', () => {
  let s: Sandbox;
  let c: Client;
  let alice: ReturnType<typeof keygen>;
  let aliceRsa: ReturnType<typeof keygen>;
  let bob: ReturnType<typeof keygen>;
  let carol: ReturnType<typeof keygen>;
  let mallory: ReturnType<typeof keygen>;
  let agentPid: number | undefined;
  let agentSock: string;

  beforeAll(async () => {
    s = await Sandbox.create();
    alice = keygen(s.dir, 'alice', ['-t', 'ed25519']);
    aliceRsa = keygen(s.dir, 'alice-rsa', ['-t', 'rsa', '-b', '3072']);
    bob = keygen(s.dir, 'bob', ['-t', 'ecdsa', '-b', '256']);
    carol = keygen(s.dir, 'carol', ['-t', 'rsa', '-b', '3072']);
    mallory = keygen(s.dir, 'mallory', ['-t', 'ed25519']);
    const signers = join(s.dir, 'allowed_signers');
    writeFileSync(
      signers,
      [`alice namespaces="respond-approval" ${alice.pub}`, `alice ${aliceRsa.pub}`, `bob ${bob.pub}`, `carol namespaces="git,respond-approval" ${carol.pub}`, `mallory namespaces="git" ${mallory.pub}`].join('\n') + '\n',
    );
    s.env.RESPOND_ALLOWED_SIGNERS = signers;
    agentSock = join(s.dir, 'agent.sock');
    const agent = spawnSync('ssh-agent', ['-a', agentSock, '-s'], { encoding: 'utf8' });
    agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]) || undefined;
    execFileSync('ssh-add', [bob.key], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'ignore' });
    const warm = await s.cli(['list']);
    expect(warm.code).toBe(0);
    c = await s.client();
  });
  afterAll(async () => {
    if (agentPid) process.kill(agentPid, 'SIGTERM');
    await s?.stop();
  });

  it('accepts only signatures by the approver\'s pinned keys over this run, step and hash', async () => {
    const out = join(s.dir, 'signed.out');
    const started = await s.cli(['start', runbook, '--incident', 'SIG-1', '--set', `out=${out}`, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { id } = JSON.parse(started.stdout) as { id: string };
    const other = await s.cli(['start', runbook, '--incident', 'SIG-2', '--set', `out=${out}.2`, '--json']);
    const otherId = (JSON.parse(other.stdout) as { id: string }).id;

    const first = await pendingFor(s, c, id, 'first');
    expect(first.signed).toBe(true);
    const otherFirst = await pendingFor(s, c, otherId, 'first');
    // Same runbook, same step: the same action hash, so only the run id tells the two apart.
    expect(otherFirst.hash).toBe(first.hash);

    const unsignedCli = await s.cli(['approve', id, '--hash', first.hash, '--as', 'alice']);
    expect(unsignedCli.code).toBe(2);
    expect(unsignedCli.stderr.trim()).toBe(`respond: run ${id} takes signed approvals only: add --sign ~/.ssh/id_ed25519 or --sign-agent`);
    const unsigned = await updateRefusal(c, id, { step: 'first', hash: first.hash, approver: 'alice' });
    expect(unsigned).toBe(`step first needs a signed approval (signedApprovals): respond approve ${id} --hash … --as alice --sign KEY`);

    const impostor = await s.cli(['approve', id, '--hash', first.hash, '--as', 'alice', '--sign', mallory.key]);
    expect(impostor.code).toBe(4);
    expect(impostor.stderr.trim()).toBe(`respond: approval refused: key ${mallory.fingerprint} is not an allowed signer for "alice"`);

    const claim = { step: 'first', hash: first.hash, approver: 'alice' };
    const notCovered = `signature by ${alice.fingerprint} does not match this approval (signed for another run, step, hash or approver)`;
    const otherRun = sshSign(alice.key, approvalMessage({ ...claim, run: otherId }));
    expect(await updateRefusal(c, id, { ...claim, signature: otherRun })).toBe(notCovered);
    const otherStep = sshSign(alice.key, approvalMessage({ ...claim, run: id, step: 'second' }));
    expect(await updateRefusal(c, id, { ...claim, signature: otherStep })).toBe(notCovered);
    const otherHash = sshSign(alice.key, approvalMessage({ ...claim, run: id, hash: 'a'.repeat(64) }));
    expect(await updateRefusal(c, id, { ...claim, signature: otherHash })).toBe(notCovered);
    const good = sshSign(alice.key, approvalMessage({ ...claim, run: id }));
    expect(await updateRefusal(c, id, { ...claim, approver: 'bob', signature: good })).toBe(`key ${alice.fingerprint} is not an allowed signer for "bob"`);
    expect(await updateRefusal(c, id, { ...claim, signature: truncate(good) })).toBe('malformed signature: signature is truncated');
    expect(await updateRefusal(c, id, { ...claim, signature: good.slice(0, 120) })).toMatch(/^malformed signature: signature is truncated \(no -----END SSH SIGNATURE-----\)$/);
    const gitNamespace = execFileSync('ssh-keygen', ['-Y', 'sign', '-n', 'git', '-f', alice.key], { input: approvalMessage({ ...claim, run: id }), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] });
    expect(await updateRefusal(c, id, { ...claim, signature: gitNamespace })).toBe(`signature by ${alice.fingerprint} is for namespace "git", not respond-approval`);
    expect((await statusOf(c, id)).pending?.approvals).toEqual([]);

    const ok = await s.cli(['approve', id, '--hash', first.hash, '--as', 'alice', '--sign', alice.key, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ step: 'first', approved: true });

    // The web UI path: --print-signal prints the Signal input; a key held by ssh-agent signs it.
    const second = await pendingFor(s, c, id, 'second');
    const handle = c.workflow.getHandle(id);
    await handle.signal(approveSignal, { step: 'second', hash: second.hash, approver: 'bob' });
    await s.waitFor('ignored unsigned signal', async () => ((await statusOf(c, id)).ignoredSignals.length === 1 ? true : undefined));
    expect((await statusOf(c, id)).ignoredSignals[0]!.reason).toBe(`approve: step second needs a signed approval (signedApprovals): respond approve ${id} --hash … --as bob --sign KEY`);
    const printed = await s.cli(['approve', id, '--hash', second.hash, '--as', 'bob', '--sign-agent', '--print-signal'], { SSH_AUTH_SOCK: agentSock });
    expect(printed.code, printed.stderr).toBe(0);
    const input = JSON.parse(printed.stdout) as ApprovalRequest;
    expect(input).toMatchObject({ step: 'second', hash: second.hash, approver: 'bob' });
    expect(input.signature).toContain('-----BEGIN SSH SIGNATURE-----');
    expect((await statusOf(c, id)).pending?.step).toBe('second');
    await handle.signal(approveSignal, input);

    // Quorum of two signers, each with a key type of their own (alice's second key is RSA).
    const quorum = await pendingFor(s, c, id, 'two-person');
    expect((await s.cli(['approve', id, '--hash', quorum.hash, '--as', 'alice', '--sign', aliceRsa.key])).code).toBe(0);
    const replayed = await s.cli(['approve', id, '--hash', quorum.hash, '--as', 'alice', '--sign', alice.key]);
    expect(replayed.stderr).toContain('approver "alice" has already approved step two-person');
    const waiting = await s.cli(['status', id]);
    expect(waiting.stdout).toContain(`approved by alice (signed ${aliceRsa.fingerprint})`);
    expect((await s.cli(['approve', id, '--hash', quorum.hash, '--as', 'carol', '--sign', carol.key])).code).toBe(0);
    await handle.result();
    expect(readFileSync(out, 'utf8')).toBe('two\n');

    const status = await s.cli(['status', id]);
    expect(status.stdout).toContain(`first approved by alice (signed ${alice.fingerprint})`);
    expect(status.stdout).toContain(`second approved by bob (signed ${bob.fingerprint})`);
    expect(status.stdout).toContain(`two-person approved by alice (signed ${aliceRsa.fingerprint}), carol (signed ${carol.fingerprint})`);
    const granted = s.audit().filter((e) => e.workflowId === id && e.event === 'approval.granted');
    expect(granted.map((e) => [e.step, e.actor, e.args?.via, e.args?.signer])).toEqual([
      ['first', 'alice', 'update', alice.fingerprint],
      ['second', 'bob', 'signal', bob.fingerprint],
      ['two-person', 'alice', 'update', aliceRsa.fingerprint],
      ['two-person', 'carol', 'update', carol.fingerprint],
    ]);
    // Each recorded signature still verifies with plain ssh-keygen against the allowed signers.
    for (const e of granted) {
      const sigFile = join(s.dir, `${e.step}-${e.actor}.sig`);
      writeFileSync(sigFile, String(e.args?.signature));
      const verify = spawnSync('ssh-keygen', ['-Y', 'verify', '-f', s.env.RESPOND_ALLOWED_SIGNERS!, '-I', e.actor, '-n', 'respond-approval', '-s', sigFile], {
        input: approvalMessage({ run: id, step: e.step!, hash: String(e.args?.hash), approver: e.actor }),
        encoding: 'utf8',
      });
      expect(verify.status, verify.stderr).toBe(0);
    }

    // Refused updates left nothing in history: three accepted updates, no impostor.
    const history = await historyJson(c, id);
    expect(history.match(/"workflowExecutionUpdateAcceptedEventAttributes"/g)).toHaveLength(3);
    expect(history).not.toContain(mallory.fingerprint);
    expect(history).not.toContain(otherRun.split('\n').at(-2)!);
    await c.workflow.getHandle(otherId).terminate('test over');
  });

  it('refuses a start when an approver has no key, and --auto-approve on a signed run', async () => {
    const onlyAlice = join(s.dir, 'only-alice');
    writeFileSync(onlyAlice, `alice ${alice.pub}\n`);
    const missing = await s.cli(['start', runbook, '--incident', 'SIG-3', '--set', 'out=/dev/null'], { RESPOND_ALLOWED_SIGNERS: onlyAlice });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`respond: signed approvals: approver bob of runbook signed-test has no key in ${onlyAlice}`);
    const broken = join(s.dir, 'broken');
    writeFileSync(broken, `alice ${alice.pub}\nbob ssh-ed25519 !!!\n`);
    const bad = await s.cli(['start', runbook, '--incident', 'SIG-3', '--set', 'out=/dev/null'], { RESPOND_ALLOWED_SIGNERS: broken });
    expect(bad.stderr.trim()).toBe(`respond: ${broken}:2: the key is not valid base64`);
    const auto = await s.cli(['start', runbook, '--incident', 'SIG-3', '--set', 'out=/dev/null', '--auto-approve']);
    expect(auto.code).toBe(2);
    expect(auto.stderr).toContain('signed approvals are on');
    // The respond-wide setting forces signatures on a runbook that does not ask for them.
    const forced = await s.cli(['start', join(ROOT, 'test', 'runbooks', 'timeout.yaml'), '--incident', 'SIG-4', '--auto-approve'], { RESPOND_SIGNED_APPROVALS: 'true' });
    expect(forced.code).toBe(2);
    expect(forced.stderr).toContain('signed approvals are on');
  });
});

describe('signature check in the validator', () => {
  it('is pure: the same verdict from the same input, no I/O', () => {
    const policy = { run: 'r', signers: {} };
    expect(() => checkApprovalSignature(policy, { step: 's', hash: 'h', approver: 'a', signature: 'x' })).toThrow('malformed signature: signature does not start with -----BEGIN SSH SIGNATURE-----');
  });
});
