/**
 * A skill's key in the host's OpenClaw config: `skills.entries.<skill>.apiKey` (injected as the
 * skill's primary env var) or `skills.entries.<skill>.env.<NAME>`. The key belongs to a service
 * that keeps the old one valid until it is revoked, so the overlap is `dual`. The new value comes
 * from an issuer; `command` runs the inventory's issue/test/revoke/discard commands on the worker
 * with `sh -c`. Values reach those commands on stdin and in RESPOND_* variables, never on a
 * command line, and no value is ever part of an error. Install writes the config the way the
 * gateway token is written: in place, atomically, 0600; through `openclaw config patch --stdin`
 * for a JSON5 file.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { UserError } from '../../../lib/errors.js';
import { parseDuration } from '../../../lib/duration.js';
import type { OpenclawSkillKeyCredential } from '../../../lib/inventory/schema.js';
import { compareVersions, isOpenclawVersion } from '../../../lib/openclaw-version.js';
import { heartbeatIfInActivity } from '../../hosts/heartbeat.js';
import { Redactor } from '../../hosts/transports/redactor.js';
import { getPath, parseConfig } from '../../openclaw/config.js';
import { runOpenclaw, type OpenclawHost } from '../../openclaw/host.js';
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

async function invoke(c: OpenclawSkillKeyCredential, command: string, inv: Invocation): Promise<CommandResult & { detail: string }> {
  const r = await runCommand(
    command,
    { RESPOND_ACTION: inv.action, RESPOND_SKILL: c.skill, RESPOND_FIELD: c.field, RESPOND_VALUE: inv.value, ...inv.env },
    inv.value,
    inv.known,
    parseDuration(c.issuer.timeout),
  );
  const why = r.timedOut ? `timed out after ${c.issuer.timeout}` : `exited ${r.exitCode}`;
  const said = excerpt(r.stderr);
  return { ...r, detail: `${why}${said ? `: ${said}` : ''}` };
}

/** Runs a command that must succeed; its failure is a one-line error without any value. */
async function mustSucceed(c: OpenclawSkillKeyCredential, command: string, inv: Invocation): Promise<CommandResult> {
  const r = await invoke(c, command, inv);
  if (r.exitCode !== 0 || r.timedOut) throw new UserError(`skill ${c.skill}: the issuer's ${inv.action} command failed (${r.detail})`);
  return r;
}

/** Whether the service accepts `value`, by the issuer's test command: exit 0 accepted, else refused. */
async function accepted(c: OpenclawSkillKeyCredential, value: string, known: readonly string[]): Promise<{ ok: boolean; detail: string }> {
  const r = await invoke(c, c.issuer.test!, { action: 'test', value, known });
  return { ok: r.exitCode === 0 && !r.timedOut, detail: r.exitCode === 0 && !r.timedOut ? 'accepted' : `refused (${r.detail})` };
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

/** The value the config on the host holds now (read fresh, not from the host's opening). */
async function configValue(h: OpenclawHost, c: OpenclawSkillKeyCredential): Promise<unknown> {
  const text = await h.t.readFile(h.configPath);
  if (text === null) return undefined;
  try {
    return getPath(parseConfig(text), fieldPath(c));
  } catch {
    return undefined;
  }
}

export const openclawSkillKey: RotationProvider<OpenclawSkillKeyCredential> = {
  name: 'openclaw-skill-key',
  overlapKind: 'dual',
  async current(h, c) {
    const v = await configValue(h, c);
    if (v && typeof v === 'object') {
      const source = typeof (v as { source?: unknown }).source === 'string' ? ` (source ${(v as { source: string }).source})` : '';
      throw new UserError(`host ${h.spec.name}: ${fieldName(c)} in ${h.configPath} is a SecretRef${source}, not a value; rotate it in its store, then run \`openclaw secrets reload\``);
    }
    if (typeof v === 'string' && /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(v)) {
      throw new UserError(`host ${h.spec.name}: ${fieldName(c)} in ${h.configPath} comes from the variable ${v}; change it where that variable is set`);
    }
    if (typeof v !== 'string' || v === '') {
      throw new UserError(`host ${h.spec.name}: no ${fieldName(c)} value in ${h.configPath} to rotate`);
    }
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
      throw new UserError(`skill ${c.skill}: the issuer's issue command printed ${lines.length} non-empty lines on stdout; it must print the new value alone on one line`);
    }
    const value = lines[0]!;
    if (value === old.value) throw new UserError(`skill ${c.skill}: the issuer's issue command printed the current value again, not a new one`);
    return { value };
  },
  async install(h, c, { value }) {
    h.t.addSecrets([value]);
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
  async test(h, c, next, old) {
    const held = await configValue(h, c);
    const inConfig = held === next.value;
    if (!c.issuer.test) {
      return { ok: inConfig, detail: `${fieldName(c)} ${inConfig ? 'holds the new value' : 'does NOT hold the new value'}; no issuer test command, so the service was not asked` };
    }
    const n = await accepted(c, next.value, [next.value, old.value]);
    const o = await accepted(c, old.value, [next.value, old.value]);
    return {
      ok: inConfig && n.ok,
      detail: `issuer test: new value ${n.detail}, old value ${o.ok ? 'still accepted (overlap)' : o.detail}; ${fieldName(c)} ${inConfig ? 'holds the new value' : 'does NOT hold the new value'}`,
    };
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
