/**
 * `respond demo clawhavoc`: builds a local OpenClaw host that ClawHavoc really compromised
 * (cli/demo/clawhavoc-host.ts), writes its inventory and starts `respond start clawhavoc` on it.
 * On a terminal it follows the run and asks for each approval; otherwise it runs with
 * --auto-approve --wait and prints the report's path. `respond demo stop` stops the demo gateways.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { stopGateway } from '../../activities/openclaw/gateway/control.js';
import { openOpenclawHost } from '../../activities/openclaw/host.js';
import { writeIncidentReport } from '../../activities/report/write-report.js';
import { loadInventory } from '../../lib/inventory/load.js';
import { UserError } from '../../lib/errors.js';
import { buildClawhavocDemo } from '../demo/clawhavoc-host.js';
import { client, config } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { interactive } from '../prompt.js';
import { readRun } from '../runs.js';
import { start } from './start.js';

/** The demo host's release (below the fixed one) and the fixed release the runbook moves it to. */
export const DEMO_FROM = '2026.1.29';
export const DEMO_FIXED = '2026.9.6';

interface DemoOptions {
  incident?: string;
  from: string;
  to: string;
  autoApprove?: boolean;
  wait?: boolean;
  buildOnly?: boolean;
  as?: string;
}

export function register(program: Command): void {
  const demo = program.command('demo').description('demonstrations on a real local OpenClaw host');
  demo
    .command('clawhavoc')
    .description(`build a local OpenClaw ${DEMO_FROM} host that ClawHavoc compromised (leaked token, poisoned SOUL.md and MEMORY.md, a wallet-stealing skill, open DMs) and run the clawhavoc runbook on it`)
    .option('--incident <id>', 'incident id (default: demo-<UTC timestamp>)')
    .option('--from <version>', 'the compromised host\'s OpenClaw release', DEMO_FROM)
    .option('--to <version>', 'the fixed release the runbook upgrades to', DEMO_FIXED)
    .option('--auto-approve', 'approve every gate as auto:<you> (the default without a terminal)')
    .option('--wait', 'follow the run without prompts (the default without a terminal)')
    .option('--build-only', 'build the host and print its inventory and the start command; start nothing')
    .option('--as <name>', 'who is starting (default: $RESPOND_ACTOR or your user name)')
    .action(async (opts: DemoOptions) => {
      process.exitCode = await clawhavoc(opts);
    });
  demo
    .command('stop')
    .description("stop every demo host's gateway (the demo dirs stay, for inspection)")
    .action(async () => {
      process.exitCode = await stopDemos();
    });
}

function demoRoot(): string {
  return join(config().stateDir, 'demo');
}

async function clawhavoc(opts: DemoOptions): Promise<number> {
  const incident = opts.incident ?? `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
  if (!/^[\w.-]{1,64}$/.test(incident)) throw new UserError(`--incident ${incident}: use letters, digits, . _ - (at most 64)`);
  const dir = join(demoRoot(), incident);
  const say = (line: string) => process.stderr.write(`demo: ${line}\n`);
  // Start the embedded server first: the nightly snapshot is a run of its own.
  await client();
  const host = await buildClawhavocDemo({
    dir,
    name: 'demo-gateway',
    version: opts.from,
    log: say,
    snapshot: async (inventory) => {
      const code = await start('snapshot', { inventory, set: ['hosts=all'], incident: `${incident}-nightly`, wait: true, json: true });
      if (code !== EXIT.ok) throw new UserError(`demo: the nightly snapshot run failed (respond status respond-snapshot-${incident}-nightly)`);
    },
  }).catch((err: Error) => {
    throw new UserError(`demo: building the host in ${dir} failed: ${err.message.split('\n')[0]}`, EXIT.infra);
  });
  const set = [`version=${opts.to}`, `since=${host.since}`, `allowlist=${host.allowlist}`, `tokenFile=${host.tokenFile}`];
  const command = `respond start clawhavoc --inventory ${host.inventory} --incident ${incident} ${set.map((s) => `--set ${s}`).join(' ')}`;
  say(`host ready in ${dir}; gateway on 127.0.0.1:${host.spec.gatewayPort}`);
  if (opts.buildOnly) {
    console.log(`${command}`);
    return EXIT.ok;
  }
  const attended = interactive() && !opts.autoApprove && !opts.wait;
  say(`${command}${attended ? '' : ' --auto-approve --wait'}`);
  const code = await start('clawhavoc', { inventory: host.inventory, incident, set, ...(attended ? {} : { autoApprove: true, wait: true }), ...(opts.as ? { as: opts.as } : {}) });
  const id = `respond-clawhavoc-${incident}`;
  const cfg = config();
  const c = await client(cfg);
  const view = await readRun(c, id);
  if (view.execution === 'RUNNING') {
    say(`the run waits: respond status ${id}`);
    return code;
  }
  const written = await writeIncidentReport(c, cfg, id);
  say(`gateway token now in ${host.tokenFile} (0600, never printed); stop the demo gateway with: respond demo stop`);
  console.log(written.markdown);
  return code;
}

async function stopDemos(): Promise<number> {
  const root = demoRoot();
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'inventory.yaml'))) : [];
  if (dirs.length === 0) {
    console.log('no demo hosts');
    return EXIT.ok;
  }
  for (const d of dirs) {
    for (const spec of loadInventory(join(root, d, 'inventory.yaml')).hosts) {
      const h = await openOpenclawHost(spec, createTransport(spec));
      try {
        const out = await stopGateway(h);
        console.log(`${d}: ${spec.name} ${out.stopped ? 'stopped' : 'was not running'}`);
      } finally {
        await h.t.close();
      }
    }
  }
  return EXIT.ok;
}
