/**
 * The whole ClawHavoc response, respond against a folder of scripts, as JSON on stdout. Two
 * compromised OpenClaw 2026.1.29 hosts are built fresh (cli/demo/clawhavoc-host.ts, each with its
 * nightly snapshot taken by `respond snapshot` against this bench's private respond installation);
 * then, in the same run:
 *  - host 2: bench/clawhavoc-plain.sh, the same host-side work as a plain sequential script;
 *  - host 1: `respond start clawhavoc ... --auto-approve --wait` (the embedded server and worker
 *    already up, their start-up reported separately as serverStartMs).
 * Both hosts must end on the fixed release (read from the prefix's node_modules/openclaw) or the
 * bench fails. No token is printed. `npm run bench:clawhavoc`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { buildClawhavocDemo, type DemoHost } from '../cli/demo/clawhavoc-host.js';
import { DEMO_FIXED, DEMO_FROM } from '../cli/commands/demo.js';
import { freePort } from '../test/helpers/sandbox.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'respond.js');
const PLAIN = join(import.meta.dirname, 'clawhavoc-plain.sh');
const SKILL = 'phantom-wallet-helper';

const root = mkdtempSync(join(tmpdir(), 'respond-bench-clawhavoc-'));
const stateDir = join(root, 'state');
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  TEMPORAL_ADDRESS: '',
  RESPOND_STATE_DIR: stateDir,
  RESPOND_TEMPORAL_PORT: String(await freePort()),
  RESPOND_UI_PORT: String(await freePort()),
  RESPOND_ACTOR: 'bench',
};
/** Everything a token could be found in, to redact from any error text. */
const secrets = new Set<string>();

function redact(s: string): string {
  let out = s;
  for (const v of secrets) if (v) out = out.split(v).join('[token]');
  return out.replace(/[A-Za-z0-9_-]{32,}/g, '[long-string]');
}

function fail(what: string, detail = ''): never {
  throw new Error(redact(`${what}${detail ? `\n${detail.slice(-3000)}` : ''}`));
}

function respond(args: string[], timeout = 1_800_000) {
  return execa(process.execPath, [CLI, ...args], { env, reject: false, stdin: 'ignore', timeout });
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = Date.now();
  const v = await fn();
  return [v, Date.now() - t];
}

function installedVersion(host: DemoHost): string | undefined {
  const pj = join(host.spec.install.method === 'npm' ? (host.spec.install.prefix ?? '') : '', 'node_modules', 'openclaw', 'package.json');
  return existsSync(pj) ? (JSON.parse(readFileSync(pj, 'utf8')) as { version?: string }).version : undefined;
}

function rememberTokens(host: DemoHost) {
  const cfg = JSON.parse(readFileSync(join(host.stateDir, 'openclaw.json'), 'utf8')) as { gateway?: { auth?: { token?: string } } };
  if (cfg.gateway?.auth?.token) secrets.add(cfg.gateway.auth.token);
  if (existsSync(host.tokenFile)) secrets.add(readFileSync(host.tokenFile, 'utf8').trim());
}

async function build(name: string): Promise<[DemoHost, number]> {
  // Under the state dir's demo/ so `respond demo stop` with this bench's env stops its gateway.
  const dir = join(stateDir, 'demo', name);
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  return timed(() =>
    buildClawhavocDemo({
      dir,
      name,
      version: DEMO_FROM,
      log: (line) => process.stderr.write(`bench: ${name}: ${line}\n`),
      snapshot: async (inventory) => {
        const r = await respond(['snapshot', '--inventory', inventory, '--incident', `${name}-nightly`]);
        if (r.exitCode !== 0) fail(`respond snapshot for ${name} exited ${r.exitCode}`, `${r.stdout}\n${r.stderr}`);
      },
    }),
  );
}

interface Audit {
  event: string;
  step?: string;
  host?: string;
  ts: string;
  incident?: string;
}

/** Host steps' durations (step.started to step.completed on the host) for one incident, in run order. */
function stepDurations(incident: string, host: string): Record<string, number> {
  const events = readFileSync(join(stateDir, 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Audit)
    .filter((e) => e.incident === incident && e.host === host && e.step && (e.event === 'step.started' || e.event === 'step.completed'));
  const started = new Map<string, number>();
  const out: Record<string, number> = {};
  for (const e of events) {
    if (e.event === 'step.started') started.set(e.step!, Date.parse(e.ts));
    else if (started.has(e.step!)) out[e.step!] = Date.parse(e.ts) - started.get(e.step!)!;
  }
  return out;
}

async function runPlain(host: DemoHost) {
  const timings = join(host.dir, 'plain-timings.txt');
  const prefix = host.spec.install.method === 'npm' ? host.spec.install.prefix! : '';
  rememberTokens(host);
  const [r, wallMs] = await timed(() =>
    execa('bash', [PLAIN], {
      env: {
        ...host.spec.env,
        PATH: `${dirname(host.spec.node)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        NODE: host.spec.node,
        PREFIX: prefix,
        PORT: String(host.spec.gatewayPort),
        VERSION: DEMO_FIXED,
        WORKSPACE: host.workspace,
        SKILL,
        QUARANTINE: join(host.dir, 'quarantined-skills'),
        BACKUP_REPO: join(stateDir, 'memory-backup'),
        BACKUP_HOST: host.spec.name,
        SINCE: host.since,
        TOKEN_FILE: host.tokenFile,
        LOGS: join(host.dir, 'logs'),
        TIMINGS: timings,
      },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: 1_800_000,
    }),
  );
  rememberTokens(host);
  if (r.exitCode !== 0) fail(`bench/clawhavoc-plain.sh exited ${r.exitCode}`, `${r.stdout}\n${r.stderr}`);
  const marks = readFileSync(timings, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ') as [string, string]);
  const steps: Record<string, number> = {};
  for (let i = 1; i < marks.length; i++) steps[marks[i]![1]] = Number(marks[i]![0]) - Number(marks[i - 1]![0]);
  return { wallMs, steps };
}

async function runRespond(host: DemoHost) {
  const incident = `${host.spec.name}-run`;
  rememberTokens(host);
  const set = [`version=${DEMO_FIXED}`, `since=${host.since}`, `allowlist=${host.allowlist}`, `tokenFile=${host.tokenFile}`];
  const args = ['start', 'clawhavoc', '--inventory', host.inventory, '--incident', incident, ...set.flatMap((s) => ['--set', s]), '--auto-approve', '--wait'];
  const [r, wallMs] = await timed(() => respond(args));
  rememberTokens(host);
  if (r.exitCode !== 0) fail(`respond start clawhavoc exited ${r.exitCode}`, `${r.stdout}\n${r.stderr}`);
  return { wallMs, incident, steps: stepDurations(incident, host.spec.name) };
}

const hosts: DemoHost[] = [];
try {
  const loadBefore = loadavg();
  // The embedded server and worker, started once; `respond list` returns when the frontend accepts.
  const [started, serverStartMs] = await timed(() => respond(['list'], 120_000));
  if (started.exitCode !== 0) fail(`respond list exited ${started.exitCode}`, started.stderr);

  const builds: number[] = [];
  for (const name of ['bench-respond', 'bench-plain']) {
    const [host, ms] = await build(name);
    hosts.push(host);
    builds.push(ms);
  }
  const [respondHost, plainHost] = hosts as [DemoHost, DemoHost];

  process.stderr.write('bench: plain script on bench-plain\n');
  const plain = await runPlain(plainHost);
  process.stderr.write('bench: respond start clawhavoc on bench-respond\n');
  const run = await runRespond(respondHost);

  for (const h of hosts) {
    const v = installedVersion(h);
    if (v !== DEMO_FIXED) fail(`${h.spec.name}: openclaw in ${h.dir}/openclaw is ${v ?? 'missing'}, not ${DEMO_FIXED}`);
  }

  console.log(
    JSON.stringify(
      {
        from: DEMO_FROM,
        to: DEMO_FIXED,
        order: 'both hosts built, then the plain script on host 2, then respond on host 1',
        hostBuildMs: builds,
        serverStartMs,
        serverStartNote: 'cold embedded Temporal dev server + worker launch (respond list until the frontend accepts); not in respond.wallMs',
        respond: {
          wallMs: run.wallMs,
          command: 'respond start clawhavoc --inventory F --incident X --set version --set since --set allowlist --set tokenFile --auto-approve --wait',
          steps: run.steps,
          stepsNote: 'host steps, step.started to step.completed on the host, from the audit log',
          installed: installedVersion(respondHost),
        },
        plainScript: {
          wallMs: plain.wallMs,
          script: 'bench/clawhavoc-plain.sh',
          steps: plain.steps,
          installed: installedVersion(plainHost),
          memorySource: "git show of the last commit before `since` in respond's memory backup repository (the nightly respond snapshot)",
          does: [
            'kill the process listening on the gateway port (and its openclaw launcher parent)',
            `npm --prefix <prefix> install openclaw@${DEMO_FIXED} (Node 24 first on PATH, the prefix package.json overrides)`,
            'nohup setsid openclaw gateway --port P --bind loopback, wait until it answers HTTP',
            'openclaw config set gateway.auth.token NEW (NEW from openssl rand, written 0600 to tokenFile)',
            'openclaw devices list --json, then openclaw devices revoke --device --role for each live token (own CLI last)',
            'sed the live and the .bak-kept earlier tokens out of .bash_history, gateway.env, logs/openclaw.log and openclaw.json.bak*',
            'SOUL.md and MEMORY.md restored by git show from the snapshot before the incident',
            `mv workspace/skills/${SKILL} out of the workspace`,
            'check the new token is accepted (HTTP bearer on /tools/invoke)',
          ],
          doesNot: [
            'approvals (no gate, no plan hash, no approver)',
            'evidence (config, transcripts, logs, memory files and skills are not preserved before changing them)',
            'containment (bind, open DM policy and "*" allow entries left as the attacker set them)',
            'sweeps before and after (no search for other copies of secrets)',
            'audit trail (nothing records who did what when)',
            'verification that the old token is rejected (WebSocket and HTTP)',
            'verification that the device tokens are gone (no re-list)',
            'skills judged against the allowlist (the one known skill moved by name) or confirmed with openclaw skills list',
            'memory restore verification or quarantine of the tampered copies (overwritten)',
            'rollback (a failed install or start leaves the host down or half-upgraded)',
            'idempotence or resumption (a re-run after a crash starts over; a second run would generate another token)',
          ],
        },
        machine: { nproc: availableParallelism(), loadavg: { before: loadBefore, after: loadavg() } },
      },
      null,
      2,
    ),
  );
} finally {
  const stop = await respond(['demo', 'stop'], 300_000);
  if (stop.exitCode !== 0) process.stderr.write(`bench: respond demo stop exited ${stop.exitCode}\n`);
  for (const h of hosts) await execa('fuser', ['-k', '-TERM', `${h.spec.gatewayPort}/tcp`], { reject: false });
  await respond(['server', '--stop'], 60_000);
  const pidOf = (f: string) => {
    try {
      return Number(readFileSync(join(stateDir, f), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const deadline = Date.now() + 30_000;
  while (pidOf('daemon.pid') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  for (const f of ['server.pid', 'worker.pid', 'daemon.pid']) {
    const pid = pidOf(f);
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
}
