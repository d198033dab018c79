/**
 * A skill's key in the host's OpenClaw config: `skills.entries.<skill>.apiKey` (injected as the
 * skill's primary env var) or `skills.entries.<skill>.env.<NAME>`. The key belongs to a service
 * that keeps the old one valid until it is revoked, so the overlap is `dual`. The new value comes
 * from an issuer; `command` runs the inventory's issue/test/revoke/discard commands on the worker
 * with `sh -c`. Values reach those commands on stdin and in RESPOND_* variables, never on a
 * command line, and no value is ever part of an error. Install writes the config the way the
 * gateway token is written: in place, atomically, 0600; through `openclaw config patch --stdin`
 * for a JSON5 file. The same machinery rotates a model provider's API key in the host's
 * auth-profile store (`openclaw-auth-profile`), which OpenClaw itself writes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { UserError } from '../../../lib/errors.js';
import { parseDuration } from '../../../lib/duration.js';
import type { OpenclawAuthProfileCredential, OpenclawSkillKeyCredential } from '../../../lib/inventory/schema.js';
import { compareVersions, isOpenclawVersion } from '../../../lib/openclaw-version.js';
import { heartbeatIfInActivity } from '../../hosts/heartbeat.js';
import { Redactor } from '../../hosts/transports/redactor.js';
import { getPath, parseConfig } from '../../openclaw/config.js';
import { runOpenclaw, withNodePath, type OpenclawHost } from '../../openclaw/host.js';
import type { CredentialValue, ProofResult, RotationProvider } from './types.js';

/** `config patch --stdin` keeps the value off the host's process list; older versions only have `config set VALUE`. */
const PATCH_STDIN_SINCE = '2026.9.6';
/** A revoked key may take a moment to stop working at the service. */
const REVOKE_PROOF_MS = 30_000;
const MAX_OUTPUT = 1 << 20;

type Action = 'issue' | 'test' | 'revoke' | 'discard';

/** `['skills', 'entries', skill, 'apiKey']` or `[..., 'env', NAME]`. */
export function fieldPath(c: OpenclawSkillKeyCredential): string[] {
  return ['skills', 'entries', c.skill, ...c.field.split('.')];
}

/** How the plan and errors name the field. */
export function fieldName(c: OpenclawSkillKeyCredential): string {
  return `skills.entries.${c.skill}.${c.field}`;
}

// As `exec` steps run: a SIGKILLed worker takes the command with it, so a retry never races it.
const SETPRIV = '/usr/bin/setpriv';
const TIE_TO_PARENT = process.platform === 'linux' && existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--'] : [];

interface CommandResult {
  exitCode: number;
  /** Raw: issue's stdout is the new value (a transport's run() would redact it). */
  stdoutLines: string[];
  /** Redacted: every known value, each stdout line and every token shape masked. */
  stderr: string;
  timedOut: boolean;
}

/**
 * One issuer command: `sh -c` in its own process group (killed whole on timeout: a shell's
 * children would otherwise hold its pipes open), the value on stdin, heartbeating while it runs.
 */
function runCommand(command: string, env: Record<string, string>, stdin: string, known: readonly string[], timeoutMs: number): Promise<CommandResult> {
  const redactor = new Redactor();
  redactor.add(known);
  return new Promise((resolve, reject) => {
    const [file, ...args] = [...TIE_TO_PARENT, 'sh', '-c', command];
    const child = spawn(file!, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const keep = (into: Buffer[]) => (b: Buffer) => {
      size += b.length;
      if (size <= MAX_OUTPUT) into.push(b);
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    let timedOut = false;
    const group = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      group('SIGTERM');
      setTimeout(() => group('SIGKILL'), 2_000).unref();
    }, timeoutMs);
    const beat = setInterval(() => heartbeatIfInActivity({ waiting: 'issuer command' }), 2_000);
    const done = () => {
      clearTimeout(timer);
      clearInterval(beat);
    };
    child.on('error', (e) => {
      done();
      reject(new Error(`could not run the issuer command: ${e.message}`));
    });
    child.on('close', (code) => {
      done();
      const stdoutLines = Buffer.concat(out).toString('utf8').split('\n');
      // Whatever a command prints on stdout may be a value: masked wherever its stderr repeats it.
      redactor.add(stdoutLines.map((l) => l.trim()));
      resolve({ exitCode: code ?? -1, stdoutLines, stderr: redactor.redact(Buffer.concat(err).toString('utf8')), timedOut });
    });
    // A command that does not read its stdin closes it early.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin + '\n');
  });
}

/** The last lines of a command's (already redacted) stderr, one line. */
function excerpt(stderr: string): string {
  const lines = stderr.trim().split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join(' | ');
  return lines.length > 300 ? `${lines.slice(0, 300)}…` : lines;
}

interface Invocation {
  action: Action;
  /** The value the command acts on: stdin and RESPOND_VALUE. */
  value: string;
  /** Extra variables (RESPOND_OLD_VALUE, RESPOND_NEW_VALUE, RESPOND_INTERRUPTED_AT). */
  env?: Record<string, string>;
  /** Every value the command may echo, for masking. */
  known: readonly string[];
}

type CommandIssuer = OpenclawSkillKeyCredential['issuer'];

/**
 * Where on the host a key issued by a service lives: read it (a value, a SecretRef object, or
 * undefined), write it, and name it in errors and in the commands' environment.
 */
export interface KeyTarget<C extends { issuer: CommandIssuer }> {
  /** `skill web-search`: what errors start with. */
  label(c: C): string;
  /** `skills.entries.web-search.apiKey`: the value's name in its file. */
  field(c: C): string;
  /** The file that holds it on the host. */
  file(h: OpenclawHost, c: C): string;
  /** RESPOND_SKILL / RESPOND_FIELD, RESPOND_PROFILE: what the issuer's commands are told. */
  env(c: C): Record<string, string>;
  read(h: OpenclawHost, c: C): Promise<unknown>;
  write(h: OpenclawHost, c: C, value: string): Promise<void>;
}

/** A key issued by a service that keeps the old one valid until revoke, kept on the host where `target` says. */
export function issuedKeyProvider<C extends { issuer: CommandIssuer }>(name: RotationProvider<C>['name'], target: KeyTarget<C>): RotationProvider<C> {
  const invoke = async (c: C, command: string, inv: Invocation): Promise<CommandResult & { detail: string }> => {
    const r = await runCommand(command, { RESPOND_ACTION: inv.action, ...target.env(c), RESPOND_VALUE: inv.value, ...inv.env }, inv.value, inv.known, parseDuration(c.issuer.timeout));
    const why = r.timedOut ? `timed out after ${c.issuer.timeout}` : `exited ${r.exitCode}`;
    const said = excerpt(r.stderr);
    return { ...r, detail: `${why}${said ? `: ${said}` : ''}` };
  };
  /** A command that must succeed; its failure is a one-line error without any value. */
  const mustSucceed = async (c: C, command: string, inv: Invocation): Promise<CommandResult> => {
    const r = await invoke(c, command, inv);
    if (r.exitCode !== 0 || r.timedOut) throw new UserError(`${target.label(c)}: the issuer's ${inv.action} command failed (${r.detail})`);
    return r;
  };
  /** Whether the service accepts `value`, by the issuer's test command: exit 0 accepted, else refused. */
  const accepted = async (c: C, value: string, known: readonly string[]): Promise<{ ok: boolean; detail: string }> => {
    const r = await invoke(c, c.issuer.test!, { action: 'test', value, known });
    return { ok: r.exitCode === 0 && !r.timedOut, detail: r.exitCode === 0 && !r.timedOut ? 'accepted' : `refused (${r.detail})` };
  };
  const where = (h: OpenclawHost, c: C) => `${target.field(c)} in ${target.file(h, c)}`;
  return {
    name,
    overlapKind: 'dual',
    async current(h, c) {
      const v = await target.read(h, c);
      if (v && typeof v === 'object') {
        const source = typeof (v as { source?: unknown }).source === 'string' ? ` (source ${(v as { source: string }).source})` : '';
        throw new UserError(`host ${h.spec.name}: ${where(h, c)} is a SecretRef${source}, not a value; rotate it in its store, then run \`openclaw secrets reload\``);
      }
      if (typeof v === 'string' && /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v)) {
        throw new UserError(`host ${h.spec.name}: ${where(h, c)} comes from the variable ${v}; change it where that variable is set`);
      }
      if (typeof v !== 'string' || v === '') throw new UserError(`host ${h.spec.name}: no value to rotate at ${where(h, c)}`);
      h.t.addSecrets([v]);
      return { value: v };
    },
    async issue(c, old, interruptedAt) {
      const r = await mustSucceed(c, c.issuer.issue, {
        action: 'issue',
        value: old.value,
        env: { RESPOND_OLD_VALUE: old.value, ...(interruptedAt ? { RESPOND_INTERRUPTED_AT: interruptedAt } : {}) },
        known: [old.value],
      });
      const lines = r.stdoutLines.map((l) => l.trim()).filter(Boolean);
      if (lines.length !== 1) {
        throw new UserError(`${target.label(c)}: the issuer's issue command printed ${lines.length} non-empty lines on stdout; it must print the new value alone on one line`);
      }
      const value = lines[0]!;
      if (value === old.value) throw new UserError(`${target.label(c)}: the issuer's issue command printed the current value again, not a new one`);
      return { value };
    },
    async install(h, c, { value }) {
      h.t.addSecrets([value]);
      await target.write(h, c, value);
    },
    async test(h, c, next, old) {
      const holds = (await target.read(h, c)) === next.value;
      const held = `${target.field(c)} ${holds ? 'holds the new value' : 'does NOT hold the new value'}`;
      if (!c.issuer.test) return { ok: holds, detail: `${held}; no issuer test command, so the service was not asked` };
      const n = await accepted(c, next.value, [next.value, old.value]);
      const o = await accepted(c, old.value, [next.value, old.value]);
      return { ok: holds && n.ok, detail: `issuer test: new value ${n.detail}, old value ${o.ok ? 'still accepted (overlap)' : o.detail}; ${held}` };
    },
    async revoke(_h, c, old): Promise<ProofResult> {
      await mustSucceed(c, c.issuer.revoke, { action: 'revoke', value: old.value, env: { RESPOND_OLD_VALUE: old.value }, known: [old.value] });
      if (!c.issuer.test) return { ok: true, detail: 'issuer revoke exited 0; no issuer test command to prove the old value refused' };
      const deadline = Date.now() + REVOKE_PROOF_MS;
      let o = await accepted(c, old.value, [old.value]);
      while (o.ok && Date.now() < deadline) {
        heartbeatIfInActivity({ waiting: 'revocation to take' });
        await new Promise((r) => setTimeout(r, 1_000));
        o = await accepted(c, old.value, [old.value]);
      }
      return { ok: !o.ok, detail: `issuer revoke exited 0; issuer test: old value ${o.ok ? 'STILL ACCEPTED' : o.detail}` };
    },
    async discard(c, next: CredentialValue) {
      // Without a discard command the pending value is revoked like an old one (RESPOND_OLD_VALUE names the value to end).
      const env: Record<string, string> = c.issuer.discard ? { RESPOND_NEW_VALUE: next.value } : { RESPOND_OLD_VALUE: next.value };
      await mustSucceed(c, c.issuer.discard ?? c.issuer.revoke, { action: 'discard', value: next.value, env, known: [next.value] });
    },
  };
}

/** The skill's entry, made if missing; refuses to write through a non-object. */
function setIn(cfg: Record<string, unknown>, path: string[], value: string, c: OpenclawSkillKeyCredential): void {
  let cur = cfg;
  for (const p of path.slice(0, -1)) {
    const next = cur[p];
    if (next === undefined) cur[p] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) throw new UserError(`skill ${c.skill}: ${fieldName(c)} cannot be set: ${p} in the config is not an object`);
    cur = cur[p] as Record<string, unknown>;
  }
  cur[path.at(-1)!] = value;
}

function nested(path: string[], value: string): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, k) => ({ [k]: acc }), value) as Record<string, unknown>;
}

export const openclawSkillKey = issuedKeyProvider<OpenclawSkillKeyCredential>('openclaw-skill-key', {
  label: (c) => `skill ${c.skill}`,
  field: fieldName,
  file: (h) => h.configPath,
  env: (c) => ({ RESPOND_SKILL: c.skill, RESPOND_FIELD: c.field }),
  // Read fresh, not from the host's opening: test reads what install wrote.
  async read(h, c) {
    const text = await h.t.readFile(h.configPath);
    if (text === null) return undefined;
    try {
      return getPath(parseConfig(text), fieldPath(c));
    } catch {
      return undefined;
    }
  },
  async write(h, c, value) {
    const path = fieldPath(c);
    const text = await h.t.readFile(h.configPath);
    if (text !== null) {
      let cfg: Record<string, unknown> | null = null;
      try {
        const parsed = JSON.parse(text) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) cfg = parsed as Record<string, unknown>;
      } catch {
        cfg = null;
      }
      if (cfg) {
        // Plain JSON: rewritten in place, atomically, 0600; no CLI start-up and no new .bak copy of the old key.
        setIn(cfg, path, value, c);
        await h.t.writeFile(h.configPath, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
        return;
      }
    }
    const version = h.pkg?.version;
    if (!(version && isOpenclawVersion(version) && compareVersions(version, PATCH_STDIN_SINCE) >= 0)) {
      throw new UserError(`host ${h.spec.name}: ${h.configPath} is not plain JSON and OpenClaw ${version ?? '(not installed)'} has no \`config patch --stdin\`; ${fieldName(c)} would have to go on a command line, so respond will not write it`);
    }
    const r = await runOpenclaw(h, ['config', 'patch', '--stdin'], { timeoutMs: 120_000, stdin: JSON.stringify(nested(path, value)) });
    if (r.exitCode !== 0) {
      throw new Error(`host ${h.spec.name}: openclaw config could not set ${fieldName(c)} (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
    }
  },
});

/**
 * Reads one profile of the shared model-auth store (2026.9.x keeps it in `$STATE/state/openclaw.sqlite`,
 * row `authProfiles.store` of `config_machine_state`) with the host's own Node. The key comes back
 * hex-encoded, so the transport's redaction of output cannot alter it.
 */
const READ_AUTH_PROFILE = `
const [db, id] = process.argv.slice(1);
let out;
try {
  const { DatabaseSync } = require('node:sqlite');
  const d = new DatabaseSync(db, { readOnly: true });
  const row = d.prepare("select value_json from config_machine_state where state_key = 'authProfiles.store'").get();
  const p = row ? (JSON.parse(row.value_json).profiles || {})[id] : undefined;
  out = { store: !!row, found: !!p, type: p && p.type, provider: p && p.provider, ref: !!(p && p.keyRef),
          hex: p && typeof p.key === 'string' ? Buffer.from(p.key).toString('hex') : null };
} catch (e) { out = { error: String(e && e.message).split('\\n')[0] }; }
console.log(JSON.stringify(out));
`;

interface StoredProfile {
  store?: boolean;
  found?: boolean;
  type?: string;
  provider?: string;
  ref?: boolean;
  hex?: string | null;
  error?: string;
}

const authStore = (h: OpenclawHost) => posix.join(h.stateDir, 'state', 'openclaw.sqlite');

async function storedProfile(h: OpenclawHost, c: OpenclawAuthProfileCredential): Promise<StoredProfile & { provider: string }> {
  const r = await withNodePath(h, h.spec.node, ['-e', READ_AUTH_PROFILE, authStore(h), c.profileId], { timeoutMs: 60_000 });
  let p: StoredProfile;
  try {
    p = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as StoredProfile;
  } catch {
    throw new Error(`host ${h.spec.name}: could not read the auth-profile store ${authStore(h)} (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-1).join('')}`);
  }
  const where = `the auth-profile store ${authStore(h)}`;
  if (p.error) throw new UserError(`host ${h.spec.name}: cannot read ${where} (${p.error}); model keys are rotated in the SQLite store of OpenClaw 2026.9.x, read with the host's Node >= 22.5`);
  if (!p.store || !p.found) throw new UserError(`host ${h.spec.name}: no auth profile ${c.profileId} in ${where} (\`openclaw models auth list\` names them)`);
  if (p.type !== 'api_key') throw new UserError(`host ${h.spec.name}: auth profile ${c.profileId} is of type ${p.type}, not api_key; only API keys are rotated (an OAuth sign-in is renewed with \`openclaw models auth login\`)`);
  return { ...p, provider: p.provider ?? c.profileId.split(':')[0]! };
}

/** A model provider's API key in the host's shared auth-profile store, written by OpenClaw itself (key on stdin). */
export const openclawAuthProfile = issuedKeyProvider<OpenclawAuthProfileCredential>('openclaw-auth-profile', {
  label: (c) => `auth profile ${c.profileId}`,
  field: (c) => `auth profile ${c.profileId}`,
  file: (h) => authStore(h),
  env: (c) => ({ RESPOND_PROFILE: c.profileId, RESPOND_MODEL_PROVIDER: c.profileId.split(':')[0]! }),
  async read(h, c) {
    const p = await storedProfile(h, c);
    if (p.ref) return { source: 'keyRef' };
    return p.hex ? Buffer.from(p.hex, 'hex').toString('utf8') : undefined;
  },
  async write(h, c, value) {
    const { provider } = await storedProfile(h, c);
    const r = await runOpenclaw(h, ['models', 'auth', 'paste-api-key', '--provider', provider, '--profile-id', c.profileId], { timeoutMs: 120_000, stdin: value + '\n' });
    if (r.exitCode !== 0) {
      throw new Error(`host ${h.spec.name}: openclaw models auth paste-api-key could not set auth profile ${c.profileId} (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
    }
  },
});
