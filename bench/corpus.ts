/**
 * The labelled corpus for recall and precision: real-format keys of every rule family, each in
 * the place it really sits (openclaw.json backups, auth-profiles.json, histories, logs,
 * transcripts, .env files), plus decoys that must not be reported: documentation example keys,
 * UUIDs, git SHAs, hashes, base64 images, env references. Regenerated at random on every run.
 */
import { createHmac, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Planted {
  path: string;
  line: number;
  value: string;
  family: string;
}

export interface Decoy {
  path: string;
  line: number;
  kind: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function rand(n: number, cs = ALNUM): string {
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += cs[b[i]! % cs.length];
  return s;
}
const URLSAFE = `${ALNUM}_-`;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

export function jwt(): string {
  const head = b64url({ alg: 'HS256', typ: 'JWT' });
  const body = b64url({ sub: randomUUID(), iat: 1763900000 + Math.floor(Math.random() * 1e6) });
  const sig = createHmac('sha256', randomBytes(32)).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** Key formats per provider family. */
export const KEYS: Record<string, () => string> = {
  anthropic: () => `sk-ant-api03-${rand(93, URLSAFE)}AA`,
  openai: () => `sk-proj-${rand(74, URLSAFE)}T3BlbkFJ${rand(74, URLSAFE)}`,
  awsId: () => `AKIA${rand(16, B32)}`,
  awsSecret: () => rand(40, `${ALNUM}/+`),
  github: () => `ghp_${rand(36)}`,
  githubPat: () => `github_pat_${rand(22)}_${rand(59)}`,
  slack: () => `xoxb-${rand(12, '0123456789')}-${rand(13, '0123456789')}-${rand(24)}`,
  slackHook: () => `https://hooks.slack.com/services/T${rand(8, B32)}/B${rand(10, B32)}/${rand(24)}`,
  stripe: () => `sk_live_${rand(24)}`,
  stripeHook: () => `whsec_${rand(32)}`,
  google: () => `AIza${rand(35, URLSAFE)}`,
  googleOauth: () => `ya29.${rand(120, URLSAFE)}`,
  googleSecret: () => `GOCSPX-${rand(28, URLSAFE)}`,
  gateway: () => hex(24),
  device: () => randomBytes(32).toString('base64url'),
  generic: () => rand(32),
};

export class Corpus {
  readonly planted: Planted[] = [];
  readonly decoys: Decoy[] = [];
  private lines = new Map<string, number>();

  constructor(readonly root: string) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
  }

  private write(rel: string, text: string): number {
    const path = join(this.root, rel);
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${text}\n`);
    const n = (this.lines.get(path) ?? 0) + 1;
    this.lines.set(path, n);
    return n;
  }

  plant(rel: string, family: string, value: string, line: (v: string) => string): void {
    const n = this.write(rel, line(value));
    this.planted.push({ path: join(this.root, rel), line: n, value, family });
  }

  decoy(rel: string, kind: string, line: string): void {
    const n = this.write(rel, line);
    this.decoys.push({ path: join(this.root, rel), line: n, kind });
  }

  filler(rel: string, line: string): void {
    this.write(rel, line);
  }
}

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** `copies` instances of every placement; about 40 per family at the default. */
export function buildCorpus(root: string, copies = 20): Corpus {
  const c = new Corpus(root);
  const K = KEYS;
  for (let i = 0; i < copies; i++) {
    const st = `home${i}/.openclaw`;
    const bak = i % 5 === 0 ? 'openclaw.json' : `openclaw.json.bak${i % 5 === 1 ? '' : `.${(i % 5) - 1}`}`;
    // OpenClaw-specific placements.
    c.filler(`${st}/${bak}`, '{ "gateway": { "mode": "local", "port": 18789, "auth": {');
    c.plant(`${st}/${bak}`, 'openclaw', K.gateway!(), (v) => `      "token": "${v}"`);
    c.decoy(`${st}/${bak}`, 'env-reference', '      "remoteToken": "${OPENCLAW_REMOTE_TOKEN}",');
    c.decoy(`${st}/${bak}`, 'uuid', `  "sessionId": "${randomUUID()}",`);
    c.plant(`${st}/${bak}`, 'openclaw', `${rand(8)}-${rand(24)}`, (v) => `  "skills": { "entries": { "weather": { "apiKey": "${v}" } } },`);
    c.plant(`${st}/${bak}`, 'openclaw', rand(40), (v) => `  "env": { "NOTION_API_KEY": "${v}" },`);
    c.decoy(`${st}/${bak}`, 'hash', `  "meta": { "configSha256": "${hex(32)}", "lastTouchedVersion": "2026.9.6" } }`);
    c.plant(`${st}/identity/device-auth.json`, 'openclaw', K.device!(), (v) => `{ "version": 1, "tokens": { "operator": { "token": "${v}", "role": "operator" } } }`);
    c.plant(`${st}/devices/paired.json`, 'openclaw', K.device!(), (v) => `{ "${hex(32)}": { "deviceId": "${hex(32)}", "token": "${v}" } }`);
    // The secret is the whole PEM string as JSON holds it (escaped newlines): what a rotation replaces.
    c.plant(`${st}/identity/device.json`, 'openclaw', `-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEI${randomBytes(24).toString('base64')}\\n-----END PRIVATE KEY-----\\n`, (v) => `{ "privateKeyPem": "${v}" }`);
    c.plant(`${st}/agents/main/agent/auth-profiles.json`, 'openclaw', K.anthropic!(), (v) => `{ "profiles": { "anthropic:default": { "type": "api_key", "provider": "anthropic", "key": "${v}" } } }`);
    c.plant(`${st}/agents/main/agent/auth-profiles.json`, 'openclaw', K.googleOauth!(), (v) => `{ "profiles": { "google:me": { "type": "oauth", "access": "${v}", "expires": 1763990000000 } } }`);
    c.plant(`${st}/credentials/oauth.json`, 'openclaw', `1//${rand(60, URLSAFE)}`, (v) => `{ "google": { "refresh_token": "${v}", "token_type": "Bearer" } }`);
    c.plant(`home${i}/.bash_history`, 'openclaw', K.gateway!(), (v) => `export OPENCLAW_GATEWAY_TOKEN=${v}`);
    c.plant(`home${i}/.bash_history`, 'openclaw', K.gateway!(), (v) => `openclaw gateway --port 18789 --token ${v}`);
    c.decoy(`home${i}/.bash_history`, 'git-sha', `git checkout ${hex(20)}`);
    c.plant(`tmp/openclaw/openclaw-2026-11-${10 + (i % 20)}.log`, 'openclaw', K.gateway!(), (v) => JSON.stringify({ time: '2026-11-23T09:11:00.000Z', level: 'info', msg: `control ui http://127.0.0.1:18789/?token=${v}` }));
    c.decoy(`tmp/openclaw/openclaw-2026-11-${10 + (i % 20)}.log`, 'uuid', JSON.stringify({ time: '2026-11-23T09:11:01.000Z', level: 'info', runId: randomUUID(), msg: 'agent run finished' }));
    c.plant(`${st}/agents/main/sessions/${randomUUID()}.jsonl`, 'openclaw', K.gateway!(), (v) => JSON.stringify({ type: 'message', message: { role: 'toolResult', content: [{ type: 'text', text: JSON.stringify({ gateway: { auth: { token: v } } }) }] } }));
    c.plant(`${st}/agents/main/sessions/e${i}.jsonl`, 'openclaw', K.gateway!(), (v) => JSON.stringify({ type: 'message', message: { role: 'toolResult', content: [{ type: 'text', text: `OPENCLAW_GATEWAY_PORT=18789\nOPENCLAW_GATEWAY_TOKEN=${v}\nHOME=/home/op\n` }] } }));
    c.decoy(`${st}/agents/main/sessions/s${i}.jsonl`, 'git-sha', JSON.stringify({ type: 'message', message: { role: 'toolResult', content: [{ type: 'text', text: `commit ${hex(20)}\nAuthor: dev` }] } }));

    // Provider keys where they usually leak: .env files, configs, logs.
    c.plant(`proj${i}/.env`, 'anthropic', K.anthropic!(), (v) => `ANTHROPIC_API_KEY=${v}`);
    c.plant(`proj${i}/.env`, 'openai', K.openai!(), (v) => `OPENAI_API_KEY=${v}`);
    c.plant(`proj${i}/.aws/credentials`, 'aws', K.awsId!(), (v) => `aws_access_key_id = ${v}`);
    c.plant(`proj${i}/.aws/credentials`, 'aws', K.awsSecret!(), (v) => `aws_secret_access_key = ${v}`);
    c.plant(`proj${i}/.git/config`, 'github', K.github!(), (v) => `\turl = https://x-access-token:${v}@github.com/acme/app.git`);
    c.plant(`proj${i}/ci.yml`, 'github', K.githubPat!(), (v) => `  GH_PAT: ${v}`);
    c.plant(`proj${i}/.env`, 'slack', K.slack!(), (v) => `SLACK_BOT_TOKEN=${v}`);
    c.plant(`proj${i}/notify.sh`, 'slack', K.slackHook!(), (v) => `curl -X POST -d @msg.json ${v}`);
    c.plant(`proj${i}/.env`, 'stripe', K.stripe!(), (v) => `STRIPE_SECRET_KEY=${v}`);
    c.plant(`proj${i}/.env`, 'stripe', K.stripeHook!(), (v) => `STRIPE_WEBHOOK_SECRET=${v}`);
    c.plant(`proj${i}/config.json`, 'google', K.google!(), (v) => `{ "geminiApiKey": "${v}" }`);
    c.plant(`proj${i}/client_secret.json`, 'google', K.googleSecret!(), (v) => `{ "installed": { "client_id": "1234-abc.apps.googleusercontent.com", "client_secret": "${v}" } }`);
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    c.plant(`proj${i}/deploy_key`, 'private-key', pem.split('\n')[0]!, (v) => v);
    c.filler(`proj${i}/deploy_key`, pem.split('\n').slice(1).join('\n').trimEnd());
    c.plant(`proj${i}/app.log`, 'jwt', jwt(), (v) => `2026-11-23 09:00:00 INFO session=${v}`);
    c.plant(`proj${i}/settings.py`, 'generic', K.generic!(), (v) => `DATABASE_PASSWORD = "${v}"`);
    c.plant(`proj${i}/call.sh`, 'generic', rand(40, `${ALNUM}._-`), (v) => `curl -H "Authorization: Bearer ${v}" https://api.internal/v1`);
    c.plant(`proj${i}/.env`, 'generic', rand(16), (v) => `DATABASE_URL=postgres://app:${v}@db.internal:5432/app`);

    // Decoys: documentation examples, identifiers and hashes that look random but are not secrets.
    c.decoy(`docs${i}/aws.md`, 'doc-example', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE');
    c.decoy(`docs${i}/aws.md`, 'doc-example', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    c.decoy(`docs${i}/keys.md`, 'doc-example', 'ANTHROPIC_API_KEY=sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAA');
    c.decoy(`docs${i}/keys.md`, 'doc-example', 'export OPENCLAW_GATEWAY_TOKEN="$(openssl rand -hex 24)"');
    c.decoy(`docs${i}/keys.md`, 'doc-example', 'SLACK_BOT_TOKEN=xoxb-your-bot-token');
    c.decoy(`docs${i}/keys.md`, 'doc-example', 'api_key = "your-api-key-here-please"');
    c.decoy(`data${i}/ids.csv`, 'uuid', `${randomUUID()},${randomUUID()},${randomUUID()}`);
    c.decoy(`data${i}/git.log`, 'git-sha', `${hex(20)} Merge pull request #${i} from acme/feature`);
    c.decoy(`data${i}/SHA256SUMS`, 'hash', `${hex(32)}  respond-${i}.tar.gz`);
    c.decoy(`data${i}/package-lock.json`, 'hash', `      "integrity": "sha512-${randomBytes(64).toString('base64')}",`);
    c.decoy(`data${i}/checksums.env`, 'hash', `ARTIFACT_SHA256=${hex(32)}`);
    c.decoy(`data${i}/page.html`, 'base64-image', `<img src="data:image/png;base64,${PNG_1PX}${randomBytes(600).toString('base64')}">`);
    c.decoy(`data${i}/style.css`, 'base64-image', `.logo { background: url(data:image/png;base64,${randomBytes(900).toString('base64')}); }`);
    c.decoy(`data${i}/pub.pem`, 'public-key', '-----BEGIN PUBLIC KEY-----');
    // Harder decoys: look like assignments or keys but are not secrets.
    c.decoy(`proj${i}/.ssh/authorized_keys`, 'public-key', `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomBytes(32).toString('base64').slice(0, 43)} dev@laptop`);
    c.decoy(`proj${i}/.github/workflows/ci.yml`, 'env-reference', '          password: ${{ secrets.REGISTRY_PASSWORD }}');
    c.decoy(`proj${i}/dist/app.min.js`, 'code', 'const s={token:e.connection.token,password:e.connection.password};if(t.authToken===t.selectedAuth.storedToken)return');
    c.decoy(`proj${i}/.env.example`, 'doc-example', 'OPENAI_API_KEY=sk-proj-your-key-here');
    c.decoy(`proj${i}/config.yml`, 'uuid', `api_key_id: ${randomUUID()}`);
    c.decoy(`proj${i}/config.yml`, 'hash', `secret_sha256: ${hex(32)}`);
    c.decoy(`proj${i}/deploy.sh`, 'git-sha', `DEPLOY_TOKEN_COMMIT=${hex(20)}`);
    c.decoy(`proj${i}/curl.sh`, 'env-reference', 'curl -H "Authorization: Bearer ${API_TOKEN}" https://api.internal/v1');
    c.decoy(`data${i}/app.log`, 'uuid', `2026-11-23 09:00:00 INFO request_id=${randomUUID()} trace=${hex(16)}`);
  }
  return c;
}
