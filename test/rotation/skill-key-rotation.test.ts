/**
 * A skill's key (`skills.entries.<skill>.apiKey` / `.env.<NAME>` in a real OpenClaw 2026.9.6
 * host's config) rotated through `runbooks/rotate.yaml` by the `openclaw-skill-key` provider with
 * a `command` issuer, on a real Temporal dev server and worker. The issuing service is moto's API
 * Gateway (a real AWS API emulator in server mode): issue creates an enabled API key, test looks
 * it up enabled, revoke deletes it, each a Python script with boto3 run from the inventory's
 * commands. Both keys valid through the overlap, the old one gone after it, a failing issuer test
 * (over SSH) leaves the old key in place and the pending one deleted, a SecretRef is refused, and
 * no key value appears in any output, log or history.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SshTransport } from '../../activities/hosts/transports/index.js';
import { openclawSkillKey } from '../../activities/rotation/providers/openclaw-skill-key.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { fingerprint } from '../../lib/secrets.js';
import { createFixtureHost, freePortBlock, NEWER, type FixtureHost } from '../fixtures/openclaw.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';
import { maybeRecordHistory } from '../helpers/histories.js';
import { historyJson, pendingFor } from '../helpers/runs.js';
import { ROOT, Sandbox } from '../helpers/sandbox.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const RUNBOOK = join(ROOT, 'runbooks', 'rotate.yaml');
const MOTO_DIR = (() => {
  const version = /^moto==(\S+)/m.exec(readFileSync(join(ROOT, 'scripts', 'moto-requirements.txt'), 'utf8'))![1]!;
  return join(ROOT, '.tools', `moto-${version}`, 'bin');
})();
const PYTHON = join(MOTO_DIR, 'python');

/**
 * moto's API Gateway in server mode on 127.0.0.1. Not the shared fixture: with request signing
 * checked (the fixture's mode), moto 5.2.5 refuses every signed GET of API Gateway
 * (SignatureDoesNotMatch on GetApiKeys), so this one runs without IAM checks.
 */
async function startApiGateway(box: Sandbox): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const port = await freePortBlock(1);
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(join(MOTO_DIR, 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  await box.waitFor('moto to answer', () => (child.exitCode !== null ? Promise.reject(new Error('moto exited')) : fetch(`${endpoint}/moto-api/`).then(() => true, () => undefined)));
  return { endpoint, stop };
}

/** The issuer: API Gateway API keys at moto. Values come and go on stdin/env only; issued values are also logged for the test's scans. */
const ISSUER_PY = `
import os, sys, secrets, boto3
action, endpoint, log = sys.argv[1], sys.argv[2], sys.argv[3]
c = boto3.client('apigateway', endpoint_url=endpoint, region_name='us-east-1')
def keys():
    out, pos = [], None
    while True:
        r = c.get_api_keys(includeValues=True, limit=500, **({'position': pos} if pos else {}))
        out += r.get('items', [])
        pos = r.get('position')
        if not pos:
            return out
if action == 'issue':
    v = os.environ.get('KEY_PREFIX', 'skl_') + secrets.token_hex(20)
    c.create_api_key(name='respond-' + secrets.token_hex(4), enabled=True, value=v)
    with open(log, 'a') as f:
        f.write(v + '\\n')
    print(v)
elif action == 'test':
    v = sys.stdin.readline().strip()
    sys.exit(0 if any(k.get('value') == v and k.get('enabled') for k in keys()) else 1)
elif action == 'revoke':
    v = os.environ['RESPOND_OLD_VALUE']
    for k in keys():
        if k.get('value') == v:
            c.delete_api_key(apiKey=k['id'])
elif action == 'list':
    for k in keys():
        print(k['value'], 'enabled' if k.get('enabled') else 'disabled')
`;

let s: Sandbox;
let c: Client;
let moto: { endpoint: string; stop(): Promise<void> };
let fx: FixtureHost;
let sshd: SshdFixture;
let script: string;
let issuedLog: string;

beforeAll(async () => {
  // The worker's environment, which the issuer's commands inherit (boto3 wants some credentials to sign with).
  s = await Sandbox.create({ AWS_ACCESS_KEY_ID: 'AKIAISSUER0000000000', AWS_SECRET_ACCESS_KEY: 'issuer-signing-secret', AWS_REGION: 'us-east-1' });
  [moto, fx, sshd] = await Promise.all([startApiGateway(s), createFixtureHost({ name: 'skill-host', version: NEWER, start: false }), startSshd()]);
  script = join(s.dir, 'issuer.py');
  issuedLog = join(s.dir, 'issued.log');
  writeFileSync(script, ISSUER_PY);
  expect((await s.cli(['list'])).code).toBe(0);
  c = await s.client();
});

afterAll(async () => {
  if (sshd) await new SshTransport(sshd.transport()).close();
  await Promise.allSettled([s?.stop(), fx?.destroy(), moto?.stop(), sshd?.stop()]);
});

function py(action: string, stdin = '', extraEnv: Record<string, string> = {}): { code: number; stdout: string } {
  try {
    const stdout = execFileSync(PYTHON, [script, action, moto.endpoint, issuedLog], {
      input: stdin,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAISSUER0000000000', AWS_SECRET_ACCESS_KEY: 'issuer-signing-secret', ...extraEnv },
      encoding: 'utf8',
    });
    return { code: 0, stdout };
  } catch (e) {
    return { code: (e as { status: number }).status, stdout: '' };
  }
}
const atService = (value: string) => (py('test', value + '\n').code === 0 ? 'enabled' : 'absent');
const serviceKeys = () => py('list').stdout.split('\n').filter(Boolean).sort();
const issued = () => (existsSync(issuedLog) ? readFileSync(issuedLog, 'utf8').split('\n').filter(Boolean) : []);

function cmd(action: string): string {
  return `'${PYTHON}' '${script}' ${action} '${moto.endpoint}' '${issuedLog}'`;
}

function configPath(): string {
  return join(fx.stateDir, 'openclaw.json');
}
function config(): any {
  return JSON.parse(readFileSync(configPath(), 'utf8'));
}

function inventory(name: string, host: HostSpec): string {
  const file = join(s.dir, `${name}.yaml`);
  writeFileSync(file, JSON.stringify({ version: 1, hosts: [host] }, null, 2));
  return file;
}

describe('rotate runbook: a skill key with a command issuer', () => {
  let oldSearch: string;
  let oldImage: string;
  let host: HostSpec;

  beforeAll(() => {
    oldSearch = py('issue').stdout.trim();
    oldImage = py('issue').stdout.trim();
    const cfg = config();
    cfg.skills = {
      entries: {
        'web-search': { enabled: true, apiKey: oldSearch, config: { endpoint: 'https://search.example.invalid' } },
        'image-lab': { enabled: true, env: { IMAGE_LAB_KEY: oldImage, IMAGE_LAB_REGION: 'eu-west-1' } },
        'ref-skill': { enabled: true, apiKey: { source: 'env', provider: 'default', id: 'REF_SKILL_KEY' } },
      },
    };
    writeFileSync(configPath(), JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
    const issuer = { type: 'command', issue: cmd('issue'), test: cmd('test'), revoke: cmd('revoke') };
    host = {
      ...fx.spec,
      credentials: {
        'search-key': { provider: 'openclaw-skill-key', skill: 'web-search', field: 'apiKey', issuer: { ...issuer, timeout: '1m' }, overlap: '8s' },
        // A test command that refuses every key, echoing the value it was given to stderr: the excerpt must mask it.
        'image-key': {
          provider: 'openclaw-skill-key',
          skill: 'image-lab',
          field: 'env.IMAGE_LAB_KEY',
          issuer: { ...issuer, test: 'echo "service says: key $RESPOND_VALUE is not valid" >&2; exit 3', timeout: '1m' },
          overlap: '1h',
        },
        'ref-key': { provider: 'openclaw-skill-key', skill: 'ref-skill', field: 'apiKey', issuer: { ...issuer, timeout: '1m' }, overlap: '1h' },
      },
    };
  });

  it('rejects a bad skill-key definition in the inventory with one line naming the field', async () => {
    const bad = inventory('bad', { ...fx.spec, credentials: { k: { provider: 'openclaw-skill-key', skill: 'web-search', field: 'env.bad-name', issuer: { type: 'command', issue: 'x', revoke: 'y' } } } } as unknown as HostSpec);
    const r = await s.cli(['plan', RUNBOOK, '--inventory', bad, '--set', 'credentials=k', '--set', 'skillKey=k', '--set', 'tokenFile=/tmp/unused']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/field.*expected "apiKey" or "env\.NAME"/);
    const noIssuer = inventory('bad2', { ...fx.spec, credentials: { k: { provider: 'openclaw-skill-key', skill: 'web-search', issuer: { type: 'vault', issue: 'x', revoke: 'y' } } } } as unknown as HostSpec);
    const r2 = await s.cli(['plan', RUNBOOK, '--inventory', noIssuer, '--set', 'credentials=k', '--set', 'skillKey=k', '--set', 'tokenFile=/tmp/unused']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/issuer.*unknown issuer type \(expected "command"\)/);
  });

  it('issues a new key, installs it in skills.entries.<skill>.apiKey, keeps both valid through the overlap, then revokes the old one', async () => {
    const inv = inventory('skill', host);
    const plan = await s.cli(['plan', RUNBOOK, '--inventory', inv, '--set', 'credentials=search-key', '--set', 'skillKey=search-key', '--set', 'tokenFile=/tmp/unused', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('openclaw-skill-key');
    expect(plan.stdout).toMatch(/"overlap": "8s: old and new [a-z]+ both (active|valid)/);
    // The approver reads what happens to this key, not an IAM key's story.
    expect(plan.stdout).toMatch(/write the new key to skills\.entries\.[^ ]+ in the host's OpenClaw config/);
    expect(plan.stdout).toMatch(/run the issuer's revoke command on the old key/);
    expect(plan.stdout).not.toMatch(/IAM|STS/);

    const r = await s.cli(['start', RUNBOOK, '--inventory', inv, '--incident', 'SKILL-1', '--set', `hosts=${host.name}`, '--set', 'credentials=search-key', '--set', 'skillKey=search-key', '--set', 'tokenFile=/tmp/unused', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };

    // The set gate: the provider, the overlap and both fingerprints; the host's config still holds the old key.
    const setGate = await pendingFor(s, c, id, 'skill-set');
    const [group] = setGate.action.args.groups as Array<{ action: Record<string, unknown> }>;
    expect(group!.action).toMatchObject({ provider: 'openclaw-skill-key', old: fingerprint(oldSearch), new: expect.stringMatching(/^sha256:[0-9a-f]{12}$/), overlap: expect.stringMatching(/^8s:/) });
    expect(group!.action.new).not.toBe(group!.action.old);
    expect(config().skills.entries['web-search'].apiKey).toBe(oldSearch);
    const pending = issued().at(-1)!;
    expect(fingerprint(pending)).toBe(group!.action.new);
    expect(atService(pending)).toBe('enabled');
    expect((await s.cli(['approve', id, '--hash', setGate.hash, '--as', 'alice'])).code).toBe(0);

    // During the overlap: the config holds the new key and the service accepts both.
    const next = await s.waitFor('the new key in the config', () => {
      const v = config().skills.entries['web-search'].apiKey as string;
      return v !== oldSearch ? v : undefined;
    });
    const during = [atService(next), atService(oldSearch)];
    const revokeGate = await pendingFor(s, c, id, 'skill-revoke');
    expect(during).toEqual(['enabled', 'enabled']);
    expect(next).toBe(pending);
    expect(statSync(configPath()).mode & 0o777).toBe(0o600);
    expect((await s.cli(['approve', id, '--hash', revokeGate.hash, '--as', 'alice'])).code).toBe(0);

    const result = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `failed: ${e.message}`);
    expect(result).toBe('completed');
    await maybeRecordHistory(s, `${id}/${host.name}`, 'rotate-skill-host-test');

    // After: the config holds the new key (the rest of the entry and the other skills untouched), the service only it.
    const after = config();
    expect(after.skills.entries['web-search']).toEqual({ enabled: true, apiKey: next, config: { endpoint: 'https://search.example.invalid' } });
    expect(after.skills.entries['image-lab'].env).toEqual({ IMAGE_LAB_KEY: oldImage, IMAGE_LAB_REGION: 'eu-west-1' });
    expect(after.gateway.auth.token).toBe(fx.token);
    expect(atService(next)).toBe('enabled');
    expect(atService(oldSearch)).toBe('absent');
    expect(serviceKeys()).toEqual([`${oldImage} enabled`, `${next} enabled`].sort());

    const events = s.audit().filter((e) => e.workflowId === id);
    expect(events.filter((e) => e.event === 'step.completed').map((e) => e.step)).toEqual(expect.arrayContaining(['skill-create', 'skill-set', 'skill-revoke']));
    expect(events.filter((e) => e.event === 'approval.requested').map((e) => e.step)).toEqual(['skill-set', 'skill-revoke']);
    const revoked = JSON.stringify(events.find((e) => e.event === 'step.completed' && e.step === 'skill-revoke'));
    expect(revoked).toMatch(/refused/);
  });

  it('over SSH, a failing issuer test leaves the old key in env.<NAME> and deletes the pending key at the service', async () => {
    const remote: HostSpec = { ...host, transport: sshd.transport() };
    const inv = inventory('skill-ssh', remote);
    const before = serviceKeys();
    const issuedBefore = issued().length;
    const r = await s.cli(['start', RUNBOOK, '--inventory', inv, '--incident', 'SKILL-2', '--set', `hosts=${host.name}`, '--set', 'credentials=image-key', '--set', 'skillKey=image-key', '--set', 'tokenFile=/tmp/unused', '--auto-approve', '--wait']);
    expect(r.code).toBe(1);
    const id = 'respond-rotate-SKILL-2';
    const failure = await c.workflow.getHandle(id).result().then(() => 'completed', (e: Error) => `${e.message} ${String((e as { cause?: Error }).cause?.message ?? '')}`);
    expect(failure).not.toBe('completed');
    const pending = issued().slice(issuedBefore);
    expect(pending).toHaveLength(1);
    expect(config().skills.entries['image-lab'].env).toEqual({ IMAGE_LAB_KEY: oldImage, IMAGE_LAB_REGION: 'eu-west-1' });
    expect(atService(pending[0]!)).toBe('absent');
    expect(serviceKeys()).toEqual(before);
    const host_ = JSON.stringify(await c.workflow.getHandle(`${id}/${host.name}`).fetchHistory());
    expect(host_).toMatch(/failed its test/);
    expect(host_).toMatch(/exited 3: service says: key \[redacted sha256:[0-9a-f]{12}\] is not valid/);
  });

  it('refuses a skill key held as a SecretRef with one line naming the skill and field', async () => {
    const inv = inventory('skill-ref', host);
    const r = await s.cli(['start', RUNBOOK, '--inventory', inv, '--incident', 'SKILL-3', '--set', `hosts=${host.name}`, '--set', 'credentials=ref-key', '--set', 'skillKey=ref-key', '--set', 'tokenFile=/tmp/unused', '--auto-approve', '--wait']);
    expect(r.code).toBe(1);
    const hist = JSON.stringify(await c.workflow.getHandle(`respond-rotate-SKILL-3/${host.name}`).fetchHistory());
    expect(hist).toMatch(/skills\.entries\.ref-skill\.apiKey in [^"]*openclaw\.json is a SecretRef \(source env\), not a value/);
    expect(config().skills.entries['ref-skill'].apiKey).toEqual({ source: 'env', provider: 'default', id: 'REF_SKILL_KEY' });
  });

  it('writes a JSON5 config through openclaw config patch --stdin and scrubs the old key from the .bak copy and a shell history', async () => {
    const current = config().skills.entries['web-search'].apiKey as string;
    const cfg = config();
    // A hand-edited config: comments make it JSON5, so respond leaves the rewrite to OpenClaw itself.
    writeFileSync(configPath(), `// edited by hand\n${JSON.stringify(cfg, null, 2).replace(/\n}$/, ',\n}')}\n`, { mode: 0o600 });
    const history = join(fx.spec.env.HOME!, '.bash_history');
    writeFileSync(history, `export SEARCH_API_KEY=${current}\nls\n`);
    const inv = inventory('skill-json5', host);
    const r = await s.cli(['start', RUNBOOK, '--inventory', inv, '--incident', 'SKILL-4', '--set', `hosts=${host.name}`, '--set', 'credentials=search-key', '--set', 'skillKey=search-key', '--set', 'tokenFile=/tmp/unused', '--auto-approve', '--wait']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const next = config().skills.entries['web-search'].apiKey as string;
    expect(next).not.toBe(current);
    expect(next).toBe(issued().at(-1));
    expect([atService(next), atService(current)]).toEqual(['enabled', 'absent']);
    expect(readFileSync(configPath(), 'utf8')).not.toContain('// edited by hand');
    const copies = readdirSync(fx.stateDir).filter((f) => f.startsWith('openclaw.json.bak'));
    expect(copies.length).toBeGreaterThan(0);
    for (const f of copies) expect(readFileSync(join(fx.stateDir, f), 'utf8')).not.toContain(current);
    expect(readFileSync(history, 'utf8')).not.toContain(current);
    expect(readFileSync(history, 'utf8')).toContain('ls\n');
  });

  it('rotates a model provider key in the auth-profile store (openclaw-auth-profile), written by openclaw models auth paste-api-key', async () => {
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|VITE_|NODE_OPTIONS$)/.test(k))),
      ...fx.spec.env,
      PATH: `${dirname(fx.spec.node)}:${process.env.PATH}`,
    };
    const stored = (): string | undefined => {
      const script = `const d = new (require('node:sqlite').DatabaseSync)(process.argv[1], { readOnly: true });
        const r = d.prepare("select value_json from config_machine_state where state_key = 'authProfiles.store'").get();
        console.log(JSON.stringify(JSON.parse(r.value_json).profiles['openai:work']));`;
      const p = JSON.parse(execFileSync(fx.spec.node, ['-e', script, join(fx.stateDir, 'state', 'openclaw.sqlite')], { env, encoding: 'utf8' })) as { type: string; key?: string };
      expect(p.type).toBe('api_key');
      return p.key;
    };
    // OpenClaw checks the shape of an OpenAI key: these look like project keys (and like a token to every redactor).
    const old = py('issue', '', { KEY_PREFIX: 'sk-proj-' }).stdout.trim();
    const cli = join(fx.prefix, 'node_modules', 'openclaw', 'openclaw.mjs');
    const seeded = spawnSync(fx.spec.node, [cli, 'models', 'auth', 'paste-api-key', '--provider', 'openai', '--profile-id', 'openai:work'], { input: `${old}\n`, env, encoding: 'utf8' });
    expect(seeded.status, seeded.stderr + seeded.stdout).toBe(0);
    expect(stored()).toBe(old);
    const withModelKey: HostSpec = {
      ...host,
      credentials: { ...host.credentials, 'model-key': { provider: 'openclaw-auth-profile', profileId: 'openai:work', issuer: { type: 'command', issue: `KEY_PREFIX=sk-proj- ${cmd('issue')}`, test: cmd('test'), revoke: cmd('revoke'), timeout: '1m' }, overlap: '4s' } },
    };
    const inv = inventory('model-key', withModelKey);
    const r = await s.cli(['start', RUNBOOK, '--inventory', inv, '--incident', 'SKILL-5', '--set', `hosts=${host.name}`, '--set', 'credentials=model-key', '--set', 'skillKey=model-key', '--set', 'tokenFile=/tmp/unused', '--auto-approve', '--wait']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const next = stored()!;
    expect(next).not.toBe(old);
    expect(next).toBe(issued().at(-1));
    expect([atService(next), atService(old)]).toEqual(['enabled', 'absent']);
    const events = s.audit().filter((e) => e.workflowId === 'respond-rotate-SKILL-5');
    expect(JSON.stringify(events.find((e) => e.event === 'step.completed' && e.step === 'skill-set'))).toMatch(/auth profile openai:work holds the new value/);
  });

  it('leaves no key value in any output, the audit log, the daemon and worker log or the histories', async () => {
    const values = [oldSearch, oldImage, ...issued()];
    expect(values.length).toBeGreaterThanOrEqual(4);
    let history = '';
    for (const id of ['respond-rotate-SKILL-1', 'respond-rotate-SKILL-2', 'respond-rotate-SKILL-3', 'respond-rotate-SKILL-4', 'respond-rotate-SKILL-5']) {
      history += (await historyJson(c, id)) + (await historyJson(c, `${id}/${host.name}`));
    }
    const audit = readFileSync(s.config.auditLogPath, 'utf8');
    const daemon = s.daemonLog();
    expect(daemon.length).toBeGreaterThan(0);
    for (const v of values) {
      expect(history).not.toContain(v);
      expect(audit).not.toContain(v);
      expect(daemon).not.toContain(v);
      for (const out of s.captured) expect(out).not.toContain(v);
    }
  });
});

describe('the command issuer contract', () => {
  const base = { provider: 'openclaw-skill-key' as const, skill: 'web-search', field: 'apiKey', overlap: '1h' };
  const cred = (issuer: Record<string, string>) => ({ ...base, issuer: { type: 'command' as const, revoke: 'true', timeout: '10s', ...issuer } });
  const old = { value: 'skl_old_value_0123456789abcdef' };
  const failure = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);

  it('reads the new value raw from one line of stdout, even when it has a token shape', async () => {
    const shaped = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    expect(await openclawSkillKey.issue(cred({ issue: `printf '\\n  ${shaped}  \\n\\n'` }), old)).toEqual({ value: shaped });
  });

  it('refuses empty, multi-line or unchanged output without showing it', async () => {
    expect(await failure(openclawSkillKey.issue(cred({ issue: 'true' }), old))).toMatch(/printed 0 non-empty lines/);
    const two = await failure(openclawSkillKey.issue(cred({ issue: 'echo skl_first_line_value; echo skl_second_line_value' }), old));
    expect(two).toMatch(/printed 2 non-empty lines/);
    expect(two).not.toMatch(/skl_first|skl_second/);
    expect(await failure(openclawSkillKey.issue(cred({ issue: 'cat' }), old))).toMatch(/printed the current value again/);
  });

  it('gives each command its value on stdin and in RESPOND_* variables, never on the command line', async () => {
    const check = 'read v; [ "$v" = "$RESPOND_VALUE" ] && [ "$RESPOND_ACTION" = issue ] && [ "$RESPOND_OLD_VALUE" = "$v" ] && [ "$RESPOND_SKILL" = web-search ] && [ "$RESPOND_FIELD" = apiKey ] && ! grep -q "skl_old_$(echo value)" /proc/$$/cmdline && echo skl_new_value_fedcba9876543210';
    expect(await openclawSkillKey.issue(cred({ issue: check }), old)).toEqual({ value: 'skl_new_value_fedcba9876543210' });
  });

  it('fails a command with one line that masks every value and token shape in its stderr', async () => {
    const msg = await failure(openclawSkillKey.issue(cred({ issue: 'echo "denied for $RESPOND_OLD_VALUE" >&2; echo "retry with token=AbCdEf0123456789xyz or sk-ant-AbCdEfGhIjKlMnOpQrStUv" >&2; echo skl_half_issued_value_123 >&2; echo skl_half_issued_value_123; exit 7' }), old));
    expect(msg).toMatch(/^skill web-search: the issuer's issue command failed \(exited 7: denied for \[redacted sha256:[0-9a-f]{12}\] \| retry with token=\[redacted/);
    expect(msg.split('\n')).toHaveLength(1);
    for (const v of [old.value, 'AbCdEf0123456789xyz', 'sk-ant-AbCdEfGhIjKlMnOpQrStUv', 'skl_half_issued_value_123']) expect(msg).not.toContain(v);
    expect(await failure(openclawSkillKey.issue(cred({ issue: 'sleep 30', timeout: '1s' }), old))).toMatch(/issue command failed \(timed out after 1s/);
  });
});
