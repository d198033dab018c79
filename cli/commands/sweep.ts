/**
 * `respond sweep [paths...]`: find secrets in plaintext on this machine or an inventory host.
 * Thin: build rules, baseline and transport, run, print in the chosen format, choose the exit code.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveSecretRef, SECRET_REF_PATTERN } from '../../activities/secrets/refs.js';
import { runSweep } from '../../activities/sweep/engine.js';
import { checkRulesInRg } from '../../activities/sweep/rg-check.js';
import { hostTransport, selectInventoryHosts, type InventoryHost } from '../../activities/sweep/hosts.js';
import { localTransport, type SweepTransport } from '../../activities/sweep/transport.js';
import { UserError } from '../../lib/errors.js';
import { loadBaseline } from '../../lib/sweep/baseline.js';
import { MIN_HUNT_LENGTH, type HuntTarget } from '../../lib/sweep/hunt.js';
import { REPORT_FORMATS, type ReportFormat } from '../../lib/sweep/report/index.js';
import { loadRules } from '../../lib/sweep/rules/load.js';
import { DEFAULT_MAX_FILE_SIZE } from '../../lib/sweep/rg.js';
import type { SweepResult } from '../../lib/sweep/types.js';
import { SWEEP_TOOL_VERSION } from '../../activities/sweep/version.js';

export interface SweepCliOptions {
  host?: string;
  inventory?: string;
  paths: string[];
  rules: string[];
  defaultRules: boolean;
  baseline?: string;
  format: string;
  output?: string;
  huntRef: string[];
  maxFilesize?: string;
  openclawAudit?: boolean;
}

const collect = (v: string, acc: string[]) => [...acc, ...v.split(',').filter((x) => x.length > 0)];

export async function sweepCommand(roots: string[], opts: SweepCliOptions): Promise<{ report: string; exitCode: number }> {
  if (!(opts.format in REPORT_FORMATS)) {
    throw new UserError(`--format ${opts.format}: expected one of ${Object.keys(REPORT_FORMATS).join(', ')}`);
  }
  for (const ref of opts.huntRef) {
    if (!SECRET_REF_PATTERN.test(ref)) {
      // A value typed on the command line lands in shell history and the process list.
      throw new UserError(`--hunt-ref: "${ref.slice(0, 4)}…" is not a reference; pass env:NAME or file:PATH, never the value`);
    }
  }
  const maxFileSize = parseSize(opts.maxFilesize);
  const rules = loadRules(opts.rules, opts.defaultRules);
  await checkRulesInRg(rules);
  const baseline = opts.baseline ? loadBaseline(opts.baseline) : undefined;
  const hunts: HuntTarget[] = [];
  for (const ref of opts.huntRef) {
    const value = await resolveSecretRef(ref);
    if (value.length < MIN_HUNT_LENGTH) throw new UserError(`--hunt-ref ${ref}: value shorter than ${MIN_HUNT_LENGTH} characters would match by chance`);
    hunts.push({ ref, value });
  }
  if (opts.inventory && !opts.host) throw new UserError('--inventory needs --host NAME');
  const sweepOne = async (transport: SweepTransport, hints: string[], local: boolean, openclaw?: InventoryHost['openclaw']) => {
    try {
      return await runSweep(transport, {
        // Local relative paths are made absolute so reports and baselines do not depend on the cwd.
        roots: roots.map((r) => (local ? resolve(r) : r)),
        extraPaths: [...(roots.length === 0 ? hints : []), ...opts.paths.map((r) => (local ? resolve(r) : r))],
        rules,
        hunts,
        baseline,
        maxFileSize,
        openclaw: { ...openclaw, ...(opts.openclawAudit === false && { audit: false }) },
      });
    } finally {
      await transport.close?.();
    }
  };
  const results: SweepResult[] = [];
  let failed = 0;
  if (!opts.host) {
    results.push(await sweepOne(localTransport(), [], true));
  } else {
    // Host by host in inventory order; one unreachable host does not hide the others' findings.
    for (const name of selectInventoryHosts(opts.host, opts.inventory)) {
      try {
        const { transport, scopeHints, openclaw } = await hostTransport(name, opts.inventory);
        results.push(await sweepOne(transport, scopeHints, false, openclaw));
      } catch (e) {
        if (e instanceof UserError) throw e;
        failed++;
        results.push(failedResult(name, (e as Error).message.split('\n')[0]!));
      }
    }
  }
  const meta = {
    toolVersion: SWEEP_TOOL_VERSION,
    rules: rules.rules.map((r) => ({ id: r.id, family: r.family, description: r.description, severity: r.severity })),
  };
  const report = REPORT_FORMATS[opts.format as ReportFormat](results, meta);
  // An incomplete sweep must not read as clean: a host that failed wins over findings.
  const exitCode = failed > 0 ? 5 : results.some((r) => r.findings.length > 0) ? 1 : 0;
  return { report, exitCode };
}

function failedResult(host: string, message: string): SweepResult {
  return {
    host,
    roots: [],
    findings: [],
    suppressed: [],
    skipped: [],
    missingRoots: [],
    stats: { bytesSearched: 0, filesSearched: 0, unattributedLines: 0, elapsedMs: 0, rgVersion: '' },
    warnings: [`sweep failed: ${message}`],
  };
}

function parseSize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_FILE_SIZE;
  const m = /^(\d+)([kmg]?)b?$/i.exec(text.trim());
  if (!m) throw new UserError(`--max-filesize ${text}: expected a size such as 500k, 64M or 1G`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description('find secrets in plaintext (OpenClaw state, logs, transcripts, histories, env files) with ripgrep')
    .argument('[paths...]', 'files or directories; default: the OpenClaw scope of the host')
    .option('--host <hosts>', 'sweep inventory hosts instead of the local machine: a name, a,b, tag:TAG or all')
    .option('--inventory <file>', 'inventory that defines --host')
    .option('--paths <path,...>', 'add paths to the default scope (repeatable)', collect, [])
    .option('--rules <file>', 'extra rules file, respond or gitleaks TOML (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--no-default-rules', 'use only the --rules files')
    .option('--baseline <file>', 'JSON file of accepted finding ids (a previous --format json report works)')
    .option('--format <format>', 'table, json or sarif', 'table')
    .option('--output <file>', 'write the report here instead of stdout')
    .option('--hunt-ref <ref>', 'hunt this credential exactly, by reference env:NAME or file:PATH (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--max-filesize <size>', 'skip (and report) larger files', '64M')
    .option('--no-openclaw-audit', "do not merge the host's own `openclaw secrets audit` (run by default with the default scope)")
    .addHelpText('after', '\nExit codes: 0 nothing found, 1 findings, 2 bad input, 5 a host could not be swept (the report still covers the others).')
    .action(async (paths: string[], opts: SweepCliOptions) => {
      const { report, exitCode } = await sweepCommand(paths, opts);
      if (opts.output) writeFileSync(opts.output, report, { mode: 0o600 });
      else process.stdout.write(report);
      process.exitCode = exitCode;
    });
}
