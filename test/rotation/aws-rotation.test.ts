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
import { RotationVault, rotationDir } from '../../activities/rotation/vault.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { fingerprint } from '../../lib/secrets.js';
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

  it('a key shared by two hosts is created once, installed on both, and deleted only after the last consumer switched; a consumer left out keeps it active', async () => {
    const iam = moto.iam();
    const keyFor = async (user: string) => {
      await iam.send(new CreateUserCommand({ UserName: user }));
      return (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    };
    const keys = async (user: string) => (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata!.map((k) => k.AccessKeyId!);
    const consumer = (name: string, user: string, key: { AccessKeyId?: string; SecretAccessKey?: string }, tags: string[] = []): HostSpec => {
      const file = join(fx.spec.env.HOME!, '.aws', `${name}-credentials`);
      mkdirSync(join(fx.spec.env.HOME!, '.aws'), { recursive: true });
      writeFileSync(file, `[default]\naws_access_key_id = ${key.AccessKeyId}\naws_secret_access_key = ${key.SecretAccessKey}\n`, { mode: 0o600 });
      return { ...fx.spec, name, tags, credentials: { fleet: { provider: 'aws-iam-access-key', iamUser: user, file, profile: 'default', region: moto.region, endpoint: moto.endpoint, overlap: '2s' } } };
    };
    const fileOf = (h: HostSpec) => (h.credentials!.fleet as { file: string }).file;
    const oldA = await keyFor('fleet-s3');
    const oldB = await keyFor('fleet-two');
    const hosts = [consumer('iam-a', 'fleet-s3', oldA, ['canary']), consumer('iam-b', 'fleet-s3', oldA), consumer('iam-c', 'fleet-two', oldB, ['canary']), consumer('iam-d', 'fleet-two', oldB)];
    const inv = join(s.dir, 'shared.yaml');
    writeFileSync(inv, JSON.stringify({ version: 1, hosts }));
    const sets = ['--set', 'credentials=fleet', '--set', 'cloudKey=fleet', '--set', 'tokenFile=/tmp/unused'];
    const plan = await s.cli(['plan', 'rotate', '--inventory', inv, ...sets, '--set', 'hosts=iam-a,iam-b', '--json']);
    expect(plan.stdout).toMatch(/the last of iam-a, iam-b to release it deactivates and deletes it/);

    // Both consumers in the run: one new key, on both hosts, the old one deleted after the second switched.
    const r = await s.cli(['start', 'rotate', '--inventory', inv, '--incident', 'AWS-4', ...sets, '--set', 'hosts=iam-a,iam-b', '--auto-approve', '--wait']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const left = await keys('fleet-s3');
    expect(left).toHaveLength(1);
    expect(left[0]).not.toBe(oldA.AccessKeyId);
    const onA = profileKeys(readFileSync(fileOf(hosts[0]!), 'utf8'), 'default')!;
    const onB = profileKeys(readFileSync(fileOf(hosts[1]!), 'utf8'), 'default')!;
    expect(onA).toEqual(onB);
    expect(onA.id).toBe(left[0]);
    expect(await sts(onA.id, onA.secret)).toBe('accepted');
    expect(await sts(oldA.AccessKeyId!, oldA.SecretAccessKey!)).toBe('refused');
    const events = s.audit().filter((e) => e.workflowId?.startsWith('respond-rotate-AWS-4'));
    const at = (event: string, host: string) => events.find((e) => e.event === event && e.host === host)?.ts;
    // The canary released first, while iam-b still read the old key, and nothing was revoked then.
    expect(at('rotation.released', 'iam-a')).toBeDefined();
    expect(at('rotation.revoked', 'iam-a')).toBeUndefined();
    expect(Date.parse(at('rotation.released', 'iam-a')!)).toBeLessThan(Date.parse(at('rotation.promoted', 'iam-b')!));
    expect(at('rotation.revoked', 'iam-b')).toBeDefined();
    const recs = new RotationVault(rotationDir(join(s.dir, 'state'))).all().filter((x) => x.incident === 'AWS-4' && x.provider === 'aws-iam-access-key');
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ state: 'finished', consumers: { 'iam-a': { state: 'released' }, 'iam-b': { state: 'released' } } });
    expect(recs[0]!.values).toBeUndefined();

    // Only one of two consumers in the run: it switches, the old key stays active for the other.
    const r2 = await s.cli(['start', 'rotate', '--inventory', inv, '--incident', 'AWS-5', ...sets, '--set', 'hosts=iam-c', '--auto-approve', '--wait']);
    expect(r2.code, r2.stderr + r2.stdout).toBe(0);
    expect(r2.stdout + r2.stderr).toMatch(/stays active while iam-d has not switched/);
    expect(await keys('fleet-two')).toHaveLength(2);
    expect(await sts(oldB.AccessKeyId!, oldB.SecretAccessKey!)).toBe('accepted');
    expect(profileKeys(readFileSync(fileOf(hosts[3]!), 'utf8'), 'default')!.id).toBe(oldB.AccessKeyId);
    const onC = profileKeys(readFileSync(fileOf(hosts[2]!), 'utf8'), 'default')!;
    expect(onC.id).not.toBe(oldB.AccessKeyId);
    expect(await sts(onC.id, onC.secret)).toBe('accepted');

    // respond credentials: what each consumer reads now, how old it is, and who still holds the old key.
    const creds = await s.cli(['credentials', '--inventory', inv, '--hosts', 'iam-a,iam-c,iam-d', '--json']);
    const rows = JSON.parse(creds.stdout) as Array<Record<string, any>>;
    const row = (host: string) => rows.find((x) => x.host === host && x.credential === 'fleet')!;
    expect(row('iam-a')).toMatchObject({ provider: 'aws-iam-access-key', fingerprint: fingerprint(onA.secret), id: onA.id, sinceFrom: 'rotation-record', lastRotation: { state: 'finished', incident: 'AWS-4' } });
    expect(row('iam-c')).toMatchObject({ id: onC.id, sinceFrom: 'rotation-record', overlap: 'old value active while iam-d has not switched and released it' });
    expect(row('iam-d')).toMatchObject({ id: oldB.AccessKeyId, fingerprint: fingerprint(oldB.SecretAccessKey!), sinceFrom: 'iam-create-date', ageDays: 0 });
    expect(rows.filter((x) => x.credential === 'gateway')).toHaveLength(3);
    console.log(`respond credentials after the shared rotations:\n${(await s.cli(['credentials', '--inventory', inv, '--hosts', 'iam-a,iam-c,iam-d'])).stdout}`);

    const history = (await historyJson(c, 'respond-rotate-AWS-4')) + (await historyJson(c, 'respond-rotate-AWS-4/iam-a')) + (await historyJson(c, 'respond-rotate-AWS-5/iam-c'));
    for (const secret of [oldA.SecretAccessKey!, oldB.SecretAccessKey!, onA.secret, onC.secret]) {
      expect(history).not.toContain(secret);
      expect(readFileSync(s.config.auditLogPath, 'utf8')).not.toContain(secret);
      for (const out of s.captured) expect(out).not.toContain(secret);
    }
  });
});
