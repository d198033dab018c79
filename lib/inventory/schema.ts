/**
 * The inventory a user writes: which OpenClaw hosts respond may touch and how to reach them.
 * Objects are strict so a misspelt key is an error rather than a silently ignored setting.
 */
import { z } from 'zod';
import { DURATION_PATTERN } from '../duration.js';

const hostName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" or "-" (no spaces)');
const tag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'tags are single words');
const nonEmpty = z.string().min(1);

export const localTransportSchema = z.object({ type: z.literal('local') }).strict();

export const sshTransportSchema = z
  .object({
    type: z.literal('ssh'),
    host: nonEmpty,
    port: z.number().int().min(1).max(65535).default(22),
    user: nonEmpty,
    identityFile: nonEmpty,
    knownHostsFile: nonEmpty.default('~/.ssh/known_hosts'),
    // Off only for throwaway lab hosts; the default keeps a swapped host from receiving commands.
    strictHostKeyChecking: z.boolean().default(true),
    connectTimeoutSec: z.number().int().min(1).max(300).default(10),
    // Reaches a host behind a bastion (`ssh -W %h:%p bastion`); ssh expands %h/%p/%r, so a
    // literal percent sign is written `%%`.
    proxyCommand: nonEmpty.optional(),
  })
  .strict();

const transportSchema = z.preprocess(
  // `transport: local` is the common case; accept it as shorthand.
  (v) => (typeof v === 'string' ? { type: v } : v),
  z.discriminatedUnion('type', [localTransportSchema, sshTransportSchema], {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union_discriminator'
        ? { message: `unknown transport (expected "local" or "ssh")` }
        : { message: ctx.defaultError },
  }),
);

export const npmInstallSchema = z
  .object({
    method: z.literal('npm'),
    // A prefix is an npm project directory (package.json + node_modules) so the operator's
    // `overrides` apply to upgrades; without one the install is `npm -g`.
    prefix: nonEmpty.optional(),
    npm: nonEmpty.default('npm'),
  })
  .strict();

export const dockerInstallSchema = z
  .object({ method: z.literal('docker'), container: nonEmpty })
  .strict();

const installSchema = z.discriminatedUnion('method', [npmInstallSchema, dockerInstallSchema], {
  errorMap: (issue, ctx) =>
    issue.code === 'invalid_union_discriminator'
      ? { message: `unknown install method (expected "npm" or "docker")` }
      : { message: ctx.defaultError },
});

/** An overlap window; `0` (as YAML writes it) means none: cut over at once. */
const overlapText = z
  .preprocess((v) => (v === 0 || v === '0' ? '0s' : v), z.string().regex(DURATION_PATTERN, 'expected 0 or a duration such as 30s, 15m, 2h or 1d'))
  .default('1h');

/**
 * A credential a host's consumers use, rotated by the `rotate` step under this name. The values
 * are read on the host where the consumer reads them; the inventory names only where.
 */
export const awsIamCredentialSchema = z
  .object({
    provider: z.literal('aws-iam-access-key'),
    /** The IAM user that owns the key; it may hold two keys, which is what makes the overlap. */
    iamUser: nonEmpty,
    /** Where the consumer reads the key on the host: a profile of an AWS shared credentials file. */
    file: nonEmpty.default('~/.aws/credentials'),
    profile: nonEmpty.default('default'),
    region: nonEmpty.default('us-east-1'),
    /** An AWS-compatible endpoint (moto, LocalStack); unset for AWS itself. */
    endpoint: z.string().url().optional(),
    /** How long the old key stays active beside the new one. */
    overlap: overlapText,
    /**
     * Set by the loader, not written: every host of the inventory that reads this IAM user's keys
     * (the user holds at most two, so they are one credential), when more than one does.
     */
    consumers: z.array(z.string()).optional(),
    /** Set by the loader with consumers: the file each consumer reads the key from, as written. */
    consumerFiles: z.array(z.string()).optional(),
  })
  .strict();
export type AwsIamCredential = z.infer<typeof awsIamCredentialSchema>;

/**
 * Where a skill key's new value comes from: `command` runs user-supplied commands on the worker
 * (`sh -c`); values reach them on stdin and in RESPOND_* variables, never on a command line.
 */
export const commandIssuerSchema = z
  .object({
    type: z.literal('command'),
    /** Prints the new value on stdout, one line. */
    issue: nonEmpty,
    /** Exits 0 when the service accepts the value it is given, non-zero when it refuses it. */
    test: nonEmpty.optional(),
    /** Ends the old value at the service. */
    revoke: nonEmpty,
    /** Ends a pending value after a failed rotation; without it, revoke is run on that value. */
    discard: nonEmpty.optional(),
    /** Each command's time limit. */
    timeout: z.string().regex(DURATION_PATTERN, 'expected a duration such as 30s, 15m, 2h or 1d').default('2m'),
  })
  .strict();

const issuerSchema = z.discriminatedUnion('type', [commandIssuerSchema], {
  errorMap: (issue, ctx) =>
    issue.code === 'invalid_union_discriminator' ? { message: 'unknown issuer type (expected "command")' } : { message: ctx.defaultError },
});

/** A skill's key in the host's OpenClaw config: `skills.entries.<skill>.apiKey` or `.env.<NAME>`. */
export const openclawSkillKeyCredentialSchema = z
  .object({
    provider: z.literal('openclaw-skill-key'),
    /** The key under skills.entries (the skill's name, or its metadata.openclaw.skillKey). */
    skill: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@/-]*$/, 'a skill key under skills.entries (letters, digits, "-", "_", ".", ":", "@", "/")'),
    field: z.string().regex(/^(apiKey|env\.[A-Za-z_][A-Za-z0-9_]*)$/, 'expected "apiKey" or "env.NAME" (an environment variable name)').default('apiKey'),
    issuer: issuerSchema,
    /** How long the old key stays valid at the issuing service beside the new one. */
    overlap: overlapText,
  })
  .strict();
export type OpenclawSkillKeyCredential = z.infer<typeof openclawSkillKeyCredentialSchema>;

/** A model provider's API key in the host's shared auth-profile store (OpenClaw 2026.9.x, SQLite). */
export const openclawAuthProfileCredentialSchema = z
  .object({
    provider: z.literal('openclaw-auth-profile'),
    /** As `openclaw models auth list` names it: `<provider>:<name>`, e.g. `openai:manual`. */
    profileId: z.string().regex(/^[a-z0-9][a-z0-9_-]*:[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'expected <provider>:<name>, as `openclaw models auth list` shows it'),
    issuer: issuerSchema,
    overlap: overlapText,
  })
  .strict();
export type OpenclawAuthProfileCredential = z.infer<typeof openclawAuthProfileCredentialSchema>;

const credentialSchema = z.discriminatedUnion('provider', [awsIamCredentialSchema, openclawSkillKeyCredentialSchema, openclawAuthProfileCredentialSchema], {
  errorMap: (issue, ctx) =>
    issue.code === 'invalid_union_discriminator'
      ? { message: 'unknown credential provider (expected "aws-iam-access-key", "openclaw-skill-key" or "openclaw-auth-profile")' }
      : { message: ctx.defaultError },
});
export type CredentialSpec = z.infer<typeof credentialSchema>;

export const hostSchema = z
  .object({
    name: hostName,
    tags: z.array(tag).default([]),
    transport: transportSchema,
    install: installSchema,
    node: nonEmpty.default('node'),
    // Unset means: resolve on the host the way OpenClaw does (env, profile, ~/.openclaw, legacy dirs).
    stateDir: nonEmpty.optional(),
    configPath: nonEmpty.optional(),
    profile: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
    gatewayPort: z.number().int().min(1).max(65535).default(18789),
    // Extra environment for every command respond runs on the host (not for secrets).
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    // Credentials beyond the gateway's own token that `rotate` may rotate here, by name.
    credentials: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'credential names are lower-case letters, digits and -'), credentialSchema).optional(),
    /**
     * This host's OpenClaw is a client (gateway.mode remote) of the inventory host named here:
     * rotating that gateway's token also rewrites gateway.remote.token (or password) here.
     */
    clientOf: hostName.optional(),
    /** Set by the loader on a gateway: the hosts whose clientOf names it. */
    remoteClients: z.array(z.record(z.unknown())).optional(),
  })
  .strict();

export const inventorySchema = z
  .object({
    version: z.literal(1).default(1),
    hosts: z.array(hostSchema).min(1, 'list at least one host'),
  })
  .strict();

export type SshTransport = z.infer<typeof sshTransportSchema>;
export type TransportSpec = z.infer<typeof localTransportSchema> | SshTransport;
export type InstallSpec = z.infer<typeof installSchema>;
export type HostSpec = z.infer<typeof hostSchema>;
export type Inventory = z.infer<typeof inventorySchema>;
