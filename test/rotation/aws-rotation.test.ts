/**
 * An IAM access key rotated with overlap through `runbooks/rotate.yaml`, against moto (a real AWS
 * API emulator in server mode) and a real OpenClaw host whose consumer reads the key from a
 * profile of ~/.aws/credentials: both keys valid during the overlap, the old one refused and gone
 * after it, one key left, other profiles untouched, no secret in any output or history.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { profileKeys } from '../../activities/rotation/providers/aws-credentials-file.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { createFixtureHost, NEWER, type FixtureHost } from '../fixtures/openclaw.js';
import { startMoto, type MotoFixture } from '../fixtures/moto.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';
import { maybeRecordHistory } from '../helpers/histories.js';
import { historyJson, pendingFor, statusOf } from '../helpers/runs.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

let s: Sandbox;
let c: Client;
let moto: MotoFixture;
let fx: FixtureHost;
let sshd: SshdFixture;

beforeAll(async () => {
  [moto, fx, sshd] = await Promise.all([startMoto(), createFixtureHost({ name: 'aws-consumer', version: NEWER, start: false }), startSshd()]);
  // The worker's own AWS credentials: the ones allowed to manage IAM keys.
  s = await Sandbox.create({ AWS_ACCESS_KEY_ID: moto.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: moto.admin.secretAccessKey, AWS_REGION: moto.region });
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
});

afterAll(async () => {
  await Promise.allSettled([s?.stop(), fx?.destroy(), moto?.stop(), sshd?.stop()]);
});

async function sts(id: string, secret: string): Promise<string> {
  const client = new STSClient({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId: id, secretAccessKey: secret }, maxAttempts: 1 });
  try {
    return (await client.send(new GetCallerIdentityCommand({}))).Arn ? 'accepted' : 'refused';
  } catch {
    return 'refused';
  } finally {
    client.destroy();
  }
}

describe('rotate runbook: an IAM access key with overlap', () => {
  it('creates a second key, installs and tests it, keeps both through the overlap, then deletes the old one', async () => {
    const iam = moto.iam();
    await iam.send(new CreateUserCommand({ UserName: 'skill-s3' }));
    const old = (await iam.send(new CreateAccessKeyCommand({ UserName: 'skill-s3' }))).AccessKey!;
    const credFile = join(fx.spec.env.HOME!, '.aws', 'credentials');
    mkdirSync(join(fx.spec.env.HOME!, '.aws'), { recursive: true });
    const otherProfile = '[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = other-profile-secret-value\n';
    writeFileSync(credFile, `# written by the skill installer\n[backup]\naws_access_key_id = ${old.AccessKeyId}\naws_secret_access_key = ${old.SecretAccessKey}\nregion = us-east-1\n\n${otherProfile}`, { mode: 0o600 });
    // Where real hosts leave copies: a shell history line.
    writeFileSync(join(fx.spec.env.HOME!, '.bash_history'), `aws configure set aws_secret_access_key ${old.SecretAccessKey} --profile backup\n`);

    const host: HostSpec = {
      ...fx.spec,
      credentials: { 's3-backup': { provider: 'aws-iam-access-key', iamUser: 'skill-s3', file: '~/.aws/credentials', profile: 'backup', region: moto.region, endpoint: moto.endpoint, overlap: '6s' } },
    };
    const inv = join(s.dir, 'aws.yaml');
    writeFileSync(inv, JSON.stringify({ version: 1, hosts: [host] }));
    const plan = await s.cli(['plan', join(ROOT, 'runbooks', 'rotate.yaml'), '--inventory', inv, '--set', 'credentials=s3-backup', '--set', 'cloudKey=s3-backup', '--set', 'tokenFile=/tmp/unused', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('aws-iam-access-key');
    expect(plan.stdout).toMatch(/6s: old and new keys both active/);

    const r = await s.cli(['start', join(ROOT, 'runbooks', 'rotate.yaml'), '--inventory', inv, '--incident', 'AWS-1', '--set', `hosts=${host.name}`, '--set', 'credentials=s3-backup', '--set', 'cloudKey=s3-backup', '--set', 'tokenFile=/tmp/unused', '--auto-approve', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };

    // During the overlap: the consumer's profile holds the new key, and both keys work.
    const next = await s.waitFor('the new key in the profile', () => {
      const k = profileKeys(readFileSync(credFile, 'utf8'), 'backup');
      return k && k.id !== old.AccessKeyId ? k : undefined;
    });
    expect(await sts(next.id, next.secret)).toBe('accepted');
    const during = await sts(old.AccessKeyId!, old.SecretAccessKey!);
    const listedDuring = (await iam.send(new ListAccessKeysCommand({ UserName: 'skill-s3' }))).AccessKeyMetadata!.map((k) => k.AccessKeyId);

    const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
    expect(result).toBe('completed');
    await maybeRecordHistory(s, `${id}/${host.name}`, 'rotate-cloud-host-test');
    expect(during).toBe('accepted');
    expect(listedDuring.sort()).toEqual([old.AccessKeyId, next.id].sort());

    // After: one key, the new one; the old one refused; other profiles and settings untouched.
    const listed = (await iam.send(new ListAccessKeysCommand({ UserName: 'skill-s3' }))).AccessKeyMetadata!;
    expect(listed.map((k) => k.AccessKeyId)).toEqual([next.id]);
    expect(await sts(old.AccessKeyId!, old.SecretAccessKey!)).toBe('refused');
    expect(await sts(next.id, next.secret)).toBe('accepted');
    const file = readFileSync(credFile, 'utf8');
    expect(file).toContain(otherProfile);
    expect(file).toContain('# written by the skill installer');
    expect(file).toMatch(/\[backup\][^[]*region = us-east-1/);
    expect(readFileSync(join(fx.spec.env.HOME!, '.bash_history'), 'utf8')).not.toContain(old.SecretAccessKey);

    const events = s.audit().filter((e) => e.workflowId === id);
    expect(events.filter((e) => e.event === 'step.completed').map((e) => e.step)).toEqual(
      expect.arrayContaining(['gateway-create', 'cloud-create', 'cloud-set', 'cloud-revoke']),
    );
    const skipped = events.find((e) => e.event === 'step.completed' && e.step === 'gateway-set');
    expect(JSON.stringify(skipped)).toMatch(/skipped: gateway is not among the selected credentials/);
    // A step that does nothing here asks nobody to approve it.
    const gates = events.filter((e) => e.event === 'approval.requested').map((e) => e.step);
    expect(gates).toEqual(['cloud-set', 'cloud-revoke']);
    const history = (await historyJson(c, id)) + (await historyJson(c, `${id}/${host.name}`));
    for (const secret of [old.SecretAccessKey!, next.secret, moto.admin.secretAccessKey]) {
      expect(history).not.toContain(secret);
      expect(readFileSync(s.config.auditLogPath, 'utf8')).not.toContain(secret);
      expect(s.daemonLog()).not.toContain(secret);
      for (const out of s.captured) expect(out).not.toContain(secret);
    }
  });

  it('a host unreachable during set keeps its old key working: the pending key is deleted and the run says so', async () => {
    const iam = moto.iam();
    await iam.send(new CreateUserCommand({ UserName: 'skill-far' }));
    const old = (await iam.send(new CreateAccessKeyCommand({ UserName: 'skill-far' }))).AccessKey!;
    const credFile = join(fx.spec.env.HOME!, '.aws', 'far-credentials');
    writeFileSync(credFile, `[default]\naws_access_key_id = ${old.AccessKeyId}\naws_secret_access_key = ${old.SecretAccessKey}\n`, { mode: 0o600 });
    const host: HostSpec = {
      ...fx.spec,
      name: 'aws-far',
      transport: sshd.transport(),
      credentials: { far: { provider: 'aws-iam-access-key', iamUser: 'skill-far', file: credFile, profile: 'default', region: moto.region, endpoint: moto.endpoint, overlap: '1h' } },
    };
    const inv = join(s.dir, 'far.yaml');
    writeFileSync(inv, JSON.stringify({ version: 1, hosts: [host] }));
    const r = await s.cli(['start', join(ROOT, 'runbooks', 'rotate.yaml'), '--inventory', inv, '--incident', 'AWS-2', '--set', 'credentials=far', '--set', 'cloudKey=far', '--set', 'tokenFile=/tmp/unused', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };
    const gate = await pendingFor(s, c, id, 'cloud-set');
    const keys = async () => (await iam.send(new ListAccessKeysCommand({ UserName: 'skill-far' }))).AccessKeyMetadata!.map((k) => k.AccessKeyId);
    expect(await keys()).toHaveLength(2);

    // The host drops off the network between create and set.
    await sshd.stop();
    expect((await s.cli(['approve', id, '--hash', gate.hash, '--as', 'alice'])).code).toBe(0);
    const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
    expect(result).toMatch(/failed/);
    const st = JSON.stringify(await statusOf(c, id));
    expect(st).toMatch(/far on aws-far: set did not finish \(.*\); the old value was not revoked and still works/);

    // The old key is untouched and works; the key created for the rotation is gone.
    expect(await keys()).toEqual([old.AccessKeyId]);
    expect(await sts(old.AccessKeyId!, old.SecretAccessKey!)).toBe('accepted');
    expect(profileKeys(readFileSync(credFile, 'utf8'), 'default')).toMatchObject({ id: old.AccessKeyId, secret: old.SecretAccessKey });
    const history = (await historyJson(c, id)) + (await historyJson(c, `${id}/${host.name}`));
    expect(history).not.toContain(old.SecretAccessKey!);
    for (const out of s.captured) expect(out).not.toContain(old.SecretAccessKey!);
  });

  it('--emergency cuts over at once: an inventory overlap of 1h is not waited out, and the old key is gone when the run ends', async () => {
    const iam = moto.iam();
    await iam.send(new CreateUserCommand({ UserName: 'skill-hot' }));
    const old = (await iam.send(new CreateAccessKeyCommand({ UserName: 'skill-hot' }))).AccessKey!;
    const credFile = join(fx.spec.env.HOME!, '.aws', 'hot-credentials');
    writeFileSync(credFile, `[default]\naws_access_key_id = ${old.AccessKeyId}\naws_secret_access_key = ${old.SecretAccessKey}\n`, { mode: 0o600 });
    const host: HostSpec = {
      ...fx.spec,
      name: 'aws-hot',
      credentials: { hot: { provider: 'aws-iam-access-key', iamUser: 'skill-hot', file: credFile, profile: 'default', region: moto.region, endpoint: moto.endpoint, overlap: '1h' } },
    };
    const inv = join(s.dir, 'hot.yaml');
    writeFileSync(inv, JSON.stringify({ version: 1, hosts: [host] }));
    const sets = ['--set', 'credentials=hot', '--set', 'cloudKey=hot', '--set', 'tokenFile=/tmp/unused'];
    const plan = await s.cli(['plan', 'rotate', '--inventory', inv, ...sets, '--emergency', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/0: no overlap \(emergency\)/);
    expect(plan.stdout).not.toMatch(/1h: old and new/);
    const clash = await s.cli(['start', 'rotate', '--inventory', inv, ...sets, '--set', 'overlap=5m', '--emergency']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toMatch(/--emergency sets overlap=0/);

    const r = await s.cli(['start', 'rotate', '--inventory', inv, '--incident', 'AWS-3', ...sets, '--emergency', '--auto-approve', '--wait']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const listed = (await iam.send(new ListAccessKeysCommand({ UserName: 'skill-hot' }))).AccessKeyMetadata!.map((k) => k.AccessKeyId);
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toBe(old.AccessKeyId);
    expect(await sts(old.AccessKeyId!, old.SecretAccessKey!)).toBe('refused');
    const next = profileKeys(readFileSync(credFile, 'utf8'), 'default')!;
    expect(next.id).toBe(listed[0]);
    expect(await sts(next.id, next.secret)).toBe('accepted');
    for (const out of s.captured) {
      expect(out).not.toContain(old.SecretAccessKey!);
      expect(out).not.toContain(next.secret);
    }
  });
});
