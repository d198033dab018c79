/**
 * `respond skills list|hash|restore`: what skills a host has and how each stands against an
 * allowlist (read-only, run directly); the directory hash to pin in an allowlist; and putting
 * one quarantined skill back where it was.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readInstalledSkills } from '../../activities/skills/host-skills.js';
import { planSkills } from '../../activities/skills/plan.js';
import { restoreSkill } from '../../activities/skills/quarantine.js';
import { LocalTransport } from '../../activities/hosts/transports/local.js';
import { UserError } from '../../lib/errors.js';
import { loadInventory, selectHosts } from '../../lib/inventory/load.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { EXIT } from '../exit-codes.js';

function oneHost(inventory: string | undefined, name: string | undefined): HostSpec {
  if (!inventory) throw new UserError('--inventory <file> is required');
  if (!name) throw new UserError('--host <name> is required');
  const [host] = selectHosts(loadInventory(resolve(inventory)), name);
  if (!host) throw new UserError(`--host ${name}: not in ${inventory}`);
  return host;
}

export function register(program: Command): void {
  const skills = program.command('skills').description('the skills on a host: list them against an allowlist, hash one, restore one from quarantine');

  skills
    .command('list')
    .description("list every skill in every load root of a host's OpenClaw, with its directory hash and (with --allowlist) its standing")
    .option('--inventory <file>', 'inventory file')
    .option('--host <name>', 'the host')
    .option('--allowlist <file>', 'allowlist (allowed_skills, blocked_patterns)')
    .option('--json', 'print JSON')
    .action(async (opts: { inventory?: string; host?: string; allowlist?: string; json?: boolean }) => {
      const host = oneHost(opts.inventory, opts.host);
      const plan = await planSkills(host, opts.allowlist ? resolve(opts.allowlist) : undefined);
      if (opts.json) {
        console.log(JSON.stringify(plan, null, 2));
      } else {
        console.log(`${plan.host}: OpenClaw ${plan.version ?? '(not installed)'}; ${plan.skills.length} skill(s) outside the package, ${plan.packaged} shipped with it`);
        for (const s of plan.skills) {
          const status = opts.allowlist ? s.status.padEnd(13) : '-'.padEnd(13);
          console.log(`  ${status} ${s.name.padEnd(24)} ${s.sha256.slice(0, 16)}  ${s.source}${s.loaded ? '' : ' (not loaded by this release)'}  ${s.dir}${opts.allowlist ? `  ${s.reason}` : ''}`);
        }
        for (const u of plan.unlocated) console.log(`  ? listed by openclaw but not found in a known root: ${u.name} (${u.source})`);
      }
      process.exitCode = opts.allowlist && plan.skills.some((s) => s.status !== 'allowed') ? EXIT.failed : EXIT.ok;
    });

  skills
    .command('hash')
    .description('print the directory hash of skill directories on this machine, as an allowlist entry')
    .argument('<dir...>', 'skill directories (each holding SKILL.md)')
    .action(async (dirs: string[]) => {
      const t = new LocalTransport({});
      for (const d of dirs.map((x) => resolve(x))) {
        const parent = d.slice(0, d.lastIndexOf('/')) || '/';
        const found = (await readInstalledSkills(t, [{ dir: parent, source: 'openclaw-extra', loaded: true }])).find((s) => s.dir === d);
        if (!found) throw new UserError(`${d}: not a skill directory (no SKILL.md)`);
        console.log(`- { name: ${JSON.stringify(found.name)}${found.version ? `, version: ${JSON.stringify(found.version)}` : ''}, sha256: ${found.sha256} }`);
      }
    });

  skills
    .command('restore')
    .description('move one quarantined skill back where it was (refused if something took its place)')
    .option('--inventory <file>', 'inventory file')
    .option('--host <name>', 'the host')
    .requiredOption('--from <dir>', 'the quarantine dir (holding manifest.json), as printed by the quarantine step')
    .requiredOption('--skill <name>', 'the skill to put back')
    .action(async (opts: { inventory?: string; host?: string; from: string; skill: string }) => {
      const host = oneHost(opts.inventory, opts.host);
      const e = await restoreSkill(host, opts.from, opts.skill);
      console.log(`${host.name}: skill ${e.name} is back at ${e.dir} (sha256 ${e.sha256.slice(0, 16)}); it was ${e.status}: check it before the agent uses it`);
    });
}
