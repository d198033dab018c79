/**
 * `respond facts --inventory F [--hosts SEL]`: what each host runs and how — OpenClaw version,
 * paths as the gateway itself sees them, the live sockets, the gateway process and what manages
 * it. Read-only; runs the same code as the `facts` step, directly, without a workflow.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createOpenclawActivities } from '../../activities/openclaw/activities.js';
import type { HostFacts } from '../../activities/openclaw/facts.js';
import { describeManager } from '../../activities/openclaw/gateway/control.js';
import { loadInventory, selectHosts } from '../../lib/inventory/load.js';
import { EXIT } from '../exit-codes.js';

const CONCURRENCY = 8;

export function renderFacts(f: HostFacts): string {
  const g = f.gateway;
  const p = g.process;
  const lines = [
    `${f.host}  (${f.transport})`,
    `  openclaw   ${f.openclaw.version ? `${f.openclaw.package}@${f.openclaw.version}` : 'not installed'}${f.openclaw.dir ? `  ${f.openclaw.dir}` : ''}`,
    `  node       ${f.node.version ?? 'not found'}  ${f.node.path}`,
    `  state dir  ${f.stateDir}  (${f.stateDirSource}${f.pathsFrom === 'gateway-process' ? ', as the running gateway sees it' : ''})`,
    `  config     ${f.configPath}`,
    `  gateway    ${g.live ? 'live' : 'down'} on port ${g.port}; config bind ${g.bind}, live sockets ${g.listening.join(', ') || 'none'} (${g.liveBind}); token ${g.token.verdict}`,
    `  managed by ${describeManager(g.manager)}`,
  ];
  if (p) {
    lines.push(
      `  process    pid ${p.pid} as ${p.user ?? '?'}, cwd ${p.cwd ?? '?'}, exe ${p.exe ?? '?'}`,
      `  argv       ${p.argv.join(' ')}`,
      `  parents    ${p.parents.map((x) => `${x.comm}[${x.pid}]`).join(' <- ') || 'init'}`,
      `  env names  ${p.envKeys ? p.envKeys.join(' ') : 'not readable'}`,
    );
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('facts')
    .description('show what each inventory host runs: versions, paths, the gateway process and what manages it (read-only)')
    .requiredOption('--inventory <file>', 'inventory file')
    .option('--hosts <selection>', 'names, tag:<tag> or all', 'all')
    .option('--audit', "also run OpenClaw's own `security audit` on each host")
    .option('--json', 'print the facts as JSON')
    .action(async (opts: { inventory: string; hosts: string; audit?: boolean; json?: boolean }) => {
      const hosts = selectHosts(loadInventory(resolve(opts.inventory)), opts.hosts);
      const acts = createOpenclawActivities();
      const results: Array<HostFacts | { host: string; error: string }> = new Array(hosts.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, hosts.length) }, async () => {
          while (next < hosts.length) {
            const i = next++;
            const host = hosts[i]!;
            results[i] = await acts.openclawFacts({ host, audit: opts.audit === true }).catch((e: Error) => ({ host: host.name, error: e.message.split('\n')[0]! }));
          }
        }),
      );
      if (opts.json) console.log(JSON.stringify(results, null, 2));
      else console.log(results.map((r) => ('error' in r ? `${r.host}\n  error: ${r.error}` : renderFacts(r))).join('\n\n'));
      if (results.some((r) => 'error' in r)) process.exitCode = EXIT.failed;
    });
}
