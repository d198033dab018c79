/**
 * An IAM user's access key, read by a consumer on the host from a profile of an AWS shared
 * credentials file. IAM lets a user hold two keys, which is the overlap: the new key is created
 * beside the old one, installed and tested with STS GetCallerIdentity; after the overlap the old
 * key is deactivated, then deleted, and proven refused. The IAM calls run on the worker with its
 * own AWS credentials (the SDK's default chain); the consumer's keys only ever sign test calls.
 */
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { UserError } from '../../../lib/errors.js';
import type { AwsIamCredential } from '../../../lib/inventory/schema.js';
import { heartbeatIfInActivity } from '../../hosts/heartbeat.js';
import type { OpenclawHost } from '../../openclaw/host.js';
import { expandHome } from '../../openclaw/paths.js';
import { profileKeys, withProfileKeys } from './aws-credentials-file.js';
import type { CredentialValue, ProofResult, RotationProvider } from './types.js';

/** New IAM keys take a few seconds to work on AWS itself. */
const PROPAGATION_MS = 30_000;

function iam(c: AwsIamCredential): IAMClient {
  return new IAMClient({ region: c.region, ...(c.endpoint ? { endpoint: c.endpoint } : {}) });
}

async function whoAmI(c: AwsIamCredential, v: CredentialValue): Promise<{ arn?: string; error?: string }> {
  const sts = new STSClient({
    region: c.region,
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    credentials: { accessKeyId: v.id!, secretAccessKey: v.value },
    maxAttempts: 1,
  });
  try {
    return { arn: (await sts.send(new GetCallerIdentityCommand({}))).Arn };
  } catch (e) {
    return { error: (e as Error).name || 'error' };
  } finally {
    sts.destroy();
  }
}

/** The consumer's credentials file as a path on the host. */
export function pathOn(h: OpenclawHost, file: string): string {
  return expandHome(file, h.home);
}

/** When IAM created this key (the age of a key respond never rotated); needs the worker's IAM access. */
export async function iamKeyCreated(c: AwsIamCredential, keyId: string): Promise<string | undefined> {
  const client = iam(c);
  try {
    const listed = (await client.send(new ListAccessKeysCommand({ UserName: c.iamUser }))).AccessKeyMetadata ?? [];
    return listed.find((k) => k.AccessKeyId === keyId)?.CreateDate?.toISOString();
  } finally {
    client.destroy();
  }
}

export const awsIamAccessKey: RotationProvider<AwsIamCredential> = {
  name: 'aws-iam-access-key',
  overlapKind: 'dual',
  async current(h, c) {
    const path = pathOn(h, c.file);
    const text = await h.t.readFile(path);
    const keys = text === null ? null : profileKeys(text, c.profile);
    if (!keys) throw new UserError(`host ${h.spec.name}: no aws_access_key_id/aws_secret_access_key in profile [${c.profile}] of ${path}`);
    h.t.addSecrets([keys.secret]);
    return { value: keys.secret, id: keys.id };
  },
  async issue(c, old, interruptedAt) {
    const client = iam(c);
    try {
      const listed = (await client.send(new ListAccessKeysCommand({ UserName: c.iamUser }))).AccessKeyMetadata ?? [];
      let others = listed.filter((k) => k.AccessKeyId !== old.id);
      if (interruptedAt) {
        // A key created by the interrupted attempt: its secret was never recorded, so it can never be used.
        const since = Date.parse(interruptedAt) - 5_000;
        for (const k of others.filter((k) => k.CreateDate && k.CreateDate.getTime() >= since)) {
          await client.send(new DeleteAccessKeyCommand({ UserName: c.iamUser, AccessKeyId: k.AccessKeyId! }));
        }
        others = others.filter((k) => !(k.CreateDate && k.CreateDate.getTime() >= since));
      }
      if (others.length > 0) {
        throw new UserError(`IAM user ${c.iamUser} already has a second access key (${others.map((k) => k.AccessKeyId).join(', ')}); IAM allows two, so delete the unused one before rotating`);
      }
      const k = (await client.send(new CreateAccessKeyCommand({ UserName: c.iamUser }))).AccessKey!;
      return { value: k.SecretAccessKey!, id: k.AccessKeyId! };
    } finally {
      client.destroy();
    }
  },
  async install(h, c, v) {
    h.t.addSecrets([v.value]);
    const path = pathOn(h, c.file);
    const text = (await h.t.readFile(path)) ?? '';
    await h.t.writeFile(path, withProfileKeys(text, c.profile, { id: v.id!, secret: v.value }), { mode: 0o600 });
  },
  async test(_h, c, next, old) {
    const deadline = Date.now() + PROPAGATION_MS;
    let n = await whoAmI(c, next);
    while (!n.arn && Date.now() < deadline) {
      heartbeatIfInActivity({ waiting: 'IAM propagation' });
      await new Promise((r) => setTimeout(r, 1_000));
      n = await whoAmI(c, next);
    }
    const o = await whoAmI(c, old);
    const ok = n.arn?.endsWith(`:user/${c.iamUser}`) === true;
    return { ok, detail: `STS GetCallerIdentity: new key ${next.id} ${n.arn ? 'accepted' : `refused (${n.error})`}, old key ${old.id} ${o.arn ? 'still accepted (overlap)' : `refused (${o.error})`}` };
  },
  async revoke(_h, c, old): Promise<ProofResult> {
    const client = iam(c);
    try {
      const listed = (await client.send(new ListAccessKeysCommand({ UserName: c.iamUser }))).AccessKeyMetadata ?? [];
      const steps: string[] = [];
      if (listed.some((k) => k.AccessKeyId === old.id)) {
        await client.send(new UpdateAccessKeyCommand({ UserName: c.iamUser, AccessKeyId: old.id!, Status: 'Inactive' }));
        const inactive = await whoAmI(c, old);
        steps.push(`deactivated: ${inactive.arn ? 'still accepted by this endpoint' : `refused (${inactive.error})`}`);
        await client.send(new DeleteAccessKeyCommand({ UserName: c.iamUser, AccessKeyId: old.id! }));
        steps.push('deleted');
      } else {
        steps.push('already deleted');
      }
      const after = await whoAmI(c, old);
      steps.push(after.arn ? 'STILL ACCEPTED' : `refused (${after.error})`);
      return { ok: !after.arn, detail: `old key ${old.id}: ${steps.join(', ')}` };
    } finally {
      client.destroy();
    }
  },
  async discard(c, next) {
    const client = iam(c);
    try {
      await client.send(new DeleteAccessKeyCommand({ UserName: c.iamUser, AccessKeyId: next.id! })).catch((e: Error) => {
        if (e.name !== 'NoSuchEntityException' && e.name !== 'NoSuchEntity') throw e;
      });
    } finally {
      client.destroy();
    }
  },
};
