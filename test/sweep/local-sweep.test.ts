// The sweep on this machine, end to end through the real rg and the CLI, over a state dir made
// by the real openclaw CLI in which the old gateway token was rotated away.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../../activities/sweep/engine.js';
import { localTransport } from '../../activities/sweep/transport.js';
import { HUNT_RULE_ID } from '../../lib/sweep/detector.js';
import { loadRules } from '../../lib/sweep/rules/load.js';
import { sweepCli, type CliRun } from './helpers/cli.js';
import { gatewayToken, makeOpenClawFixture, type OpenClawFixture } from './helpers/openclaw.js';
import { sarifErrors } from './helpers/sarif.js';

let root: string;
let fx: OpenClawFixture;
const captured: string[] = [];

function keep(r: CliRun): CliRun {
  captured.push(r.stdout, r.stderr);
  return r;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'respond-sweep-local-'));
  fx = await makeOpenClawFixture(root);
});

afterAll(() => {
  // The fixture holds (test-generated) secrets: leave nothing behind.
  if (root) rmSync(root, { recursive: true, force: true });
  // No output of any run may hold a full secret, in any encoding the hunt knows.
  const secrets = [fx.oldToken, fx.newToken, Buffer.from(`operator:${fx.oldToken}`).toString('base64')];
  const all = captured.join('\n');
  for (const s of secrets) expect(all.includes(s), 'a captured output holds a full secret').toBe(false);
  expect(captured.length).toBeGreaterThan(5);
});

describe('local sweep of a real OpenClaw state dir', () => {
  it('finds every copy of the rotated gateway token through the default scope and the hunt', async () => {
    const env = { HOME: fx.home, OLD_GW: fx.oldToken, PATH: process.env.PATH! };
    const r = keep(await sweepCli(['--format', 'json', '--hunt-ref', 'env:OLD_GW'], env));
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    const hunted = new Set(
      report.findings.filter((f: { ruleId: string }) => f.ruleId === HUNT_RULE_ID).map((f: { path: string }) => f.path),
    );
    const truth = fx.filesWithOldToken();
    expect(truth.some((f) => /openclaw\.json\.bak/.test(f))).toBe(true);
    expect(truth).toContain(fx.logFile);
    expect(truth).toContain(fx.transcript);
    expect([...hunted].sort()).toEqual([...truth].sort());
    // The base64 Basic-auth copy in the transcript is found as such.
    expect(report.findings.some((f: { path: string; encoding?: string }) => f.path === fx.transcript && f.encoding === 'base64')).toBe(true);
    // The discovered scope includes the state dir, the history and the log dir named by logging.file.
    expect(report.hosts[0].roots).toEqual(expect.arrayContaining([fx.stateDir, fx.history, fx.logDir]));
    // Rules alone (no hunt) also see the live token and the old one's copies.
    const ruleIds = new Set(report.findings.map((f: { ruleId: string }) => f.ruleId));
    for (const id of ['openclaw-config-credential', 'openclaw-env-var', 'openclaw-url-token']) expect(ruleIds).toContain(id);
    // The env dump echoed into the transcript (JSON-escaped newlines) is seen by the OpenClaw rule.
    expect(report.findings.some((f: { ruleId: string; path: string }) => f.ruleId === 'openclaw-env-var' && f.path === fx.transcript)).toBe(true);
    for (const f of report.findings) {
      expect(f.fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
      expect(f.id).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('writes SARIF that validates against the 2.1.0 schema', async () => {
    const r = keep(await sweepCli(['--format', 'sarif', '--hunt-ref', 'env:OLD_GW', fx.stateDir], { OLD_GW: fx.oldToken, PATH: process.env.PATH! }));
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results.length).toBeGreaterThan(2);
  });

  it('a baseline of accepted findings suppresses exactly those', async () => {
    const baseline = join(root, 'baseline.json');
    const first = keep(await sweepCli(['--format', 'json', '--output', baseline, fx.stateDir], { PATH: process.env.PATH! }));
    expect(first.code).toBe(1);
    const accepted = JSON.parse(readFileSync(baseline, 'utf8'));
    expect(accepted.findings.length).toBeGreaterThan(1);
    const all = keep(await sweepCli(['--format', 'json', '--baseline', baseline, fx.stateDir], { PATH: process.env.PATH! }));
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).summary.suppressed).toBe(accepted.findings.length);

    const partial = join(root, 'partial.json');
    writeFileSync(partial, JSON.stringify({ findings: [{ id: accepted.findings[0].id, reason: 'accepted in test' }] }));
    const one = keep(await sweepCli(['--format', 'json', '--baseline', partial, fx.stateDir], { PATH: process.env.PATH! }));
    expect(one.code).toBe(1);
    const rest = JSON.parse(one.stdout);
    expect(rest.summary.suppressed).toBe(1);
    expect(rest.findings.map((f: { id: string }) => f.id)).not.toContain(accepted.findings[0].id);
    expect(rest.findings.length).toBe(accepted.findings.length - 1);
  });

  it('finding ids survive lines added above the secret', async () => {
    const dir = join(root, 'ids');
    mkdirSync(dir);
    const tok = gatewayToken();
    writeFileSync(join(dir, '.env'), `OPENCLAW_GATEWAY_TOKEN=${tok}\n`);
    const rules = loadRules();
    const a = await runSweep(localTransport(), { roots: [dir], rules });
    writeFileSync(join(dir, '.env'), `# moved\n\nOPENCLAW_GATEWAY_TOKEN=${tok}\n`);
    const b = await runSweep(localTransport(), { roots: [dir], rules });
    expect(a.findings.length).toBe(1);
    expect(b.findings[0]!.line).toBe(3);
    expect(b.findings[0]!.id).toBe(a.findings[0]!.id);
    captured.push(JSON.stringify([a, b]));
  });
});

describe('what the sweep cannot read is reported, never fatal', () => {
  it('reports a huge file, an unreadable file, a binary file and a skipped node_modules, and still finds the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respond-sweep-skips-'));
    chmodSync(dir, 0o755);
    const tok = gatewayToken();
    writeFileSync(join(dir, 'app.env'), `OPENCLAW_GATEWAY_TOKEN=${tok}\n`, { mode: 0o644 });
    // Over the limit: 3 MiB of log with the token at the end.
    writeFileSync(join(dir, 'huge.log'), `${'x'.repeat(3 * 1024 * 1024)}\nOPENCLAW_GATEWAY_TOKEN=${tok}\n`, { mode: 0o644 });
    writeFileSync(join(dir, 'secret.txt'), `OPENCLAW_GATEWAY_TOKEN=${tok}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'blob.bin'), Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`OPENCLAW_GATEWAY_TOKEN=${tok}\n`)]), { mode: 0o644 });
    // A database page: binary, but searched in text mode because values sit in it in the clear.
    writeFileSync(join(dir, 'state.sqlite'), Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(64), Buffer.from(`\n{"gateway":{"auth":{"token":"x"}}} OPENCLAW_GATEWAY_TOKEN=${tok}\n`), Buffer.alloc(32)]), { mode: 0o644 });
    mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'dep', 'config.env'), `OPENCLAW_GATEWAY_TOKEN=${tok}\n`, { mode: 0o644 });
    // As an unprivileged user, for whom secret.txt (root, 0600) is unreadable.
    const t = localTransport({ wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] });
    const r = await runSweep(t, { roots: [dir], rules: loadRules(), maxFileSize: 1024 * 1024 });
    captured.push(JSON.stringify(r));
    const by = (reason: string) => r.skipped.filter((s) => s.reason === reason).map((s) => s.path);
    expect(by('too-large')).toEqual([join(dir, 'huge.log')]);
    expect(r.skipped.find((s) => s.reason === 'too-large')!.size).toBeGreaterThan(3 * 1024 * 1024);
    expect(by('unreadable')).toEqual([join(dir, 'secret.txt')]);
    expect(by('binary')).toEqual([join(dir, 'blob.bin')]);
    expect(by('excluded')).toEqual([join(dir, 'node_modules')]);
    expect(r.findings.map((f) => f.path)).toEqual([join(dir, 'app.env'), join(dir, 'state.sqlite')]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI names a missing path and exits by findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respond-sweep-clean-'));
    writeFileSync(join(dir, 'README.md'), 'nothing to see\n');
    const r = keep(await sweepCli([dir, join(dir, 'nope')], { PATH: process.env.PATH! }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`not found: ${join(dir, 'nope')}`);
    expect(r.stdout).toContain('no secrets found');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('bad input is a one-line error naming file, line and field', () => {
  it('refuses a plaintext value for --hunt-ref', async () => {
    const tok = gatewayToken();
    const r = keep(await sweepCli(['--hunt-ref', tok, root], { PATH: process.env.PATH! }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a reference; pass env:NAME or file:PATH/);
    expect(r.stderr).not.toContain(tok);
  });

  it('rejects an unknown format', async () => {
    const r = keep(await sweepCli(['--format', 'xml', root], { PATH: process.env.PATH! }));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('respond: --format xml: expected one of table, json, sarif');
  });

  it('points at the line and field of a bad rules file', async () => {
    const f = join(root, 'bad-rules.toml');
    writeFileSync(f, `[[rules]]\nid = "ok-rule"\nregex = 'abc'\n\n[[rules]]\nid = "bad-rule"\nregex = 'abc'\nseverity = "urgent"\n`);
    const r = keep(await sweepCli(['--rules', f, root], { PATH: process.env.PATH! }));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${f}:8: rules[1].severity:`);
  });

  it('names the rule and file when rg cannot compile a regex JS accepts', async () => {
    const f = join(root, 'lookahead.toml');
    writeFileSync(f, `[[rules]]\nid = "needs-lookahead"\nregex = '''token=(?!test)([a-z0-9]{16})'''\n`);
    const r = keep(await sweepCli(['--rules', f, root], { PATH: process.env.PATH! }));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(new RegExp(`^respond: ${f}: rules\\.needs-lookahead\\.regex: ripgrep cannot compile it \\(.*look-around`));
  });

  it('points at the line and field of a bad baseline', async () => {
    const f = join(root, 'bad-baseline.json');
    writeFileSync(f, `{\n  "findings": [\n    { "id": "0123456789abcdef" },\n    { "id": "nope" }\n  ]\n}\n`);
    const r = keep(await sweepCli(['--baseline', f, root], { PATH: process.env.PATH! }));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`respond: ${f}:4: findings[1].id: expected a 16-hex-digit finding id`);
  });
});
