/**
 * A fleet of OpenClaw hosts for fan-out tests: one real state dir made by the real `openclaw` CLI
 * (an old gateway token rotated away, still in config backups, a log, a transcript and a shell
 * history), copied to each host. Each host is its own user home (HOME and TMPDIR in the inventory's
 * env), reached through the local transport, as a shared machine with several operator accounts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeOpenClawFixture, type OpenClawFixture } from '../../sweep/helpers/openclaw.js';
import { freePort } from '../../helpers/sandbox.js';

export interface FleetHost {
  name: string;
  root: string;
  home: string;
  stateDir: string;
}

export interface Fleet {
  template: OpenClawFixture;
  hosts: FleetHost[];
  oldToken: string;
  inventory(extra?: Array<Record<string, unknown>>, patch?: (name: string) => Record<string, unknown>): string;
  /** Files under the host that still hold the old token (raw). */
  holding(host: FleetHost): string[];
}

export interface FleetTemplate {
  root: string;
  fixture: OpenClawFixture;
}

/** The one real state dir every fleet host starts as a copy of (so all hold the same old token). */
export async function makeTemplate(root: string): Promise<FleetTemplate> {
  mkdirSync(root, { recursive: true });
  return { root, fixture: await makeOpenClawFixture(root) };
}

export function makeFleet(t: FleetTemplate, root: string, names: string[], canaries: string[] = []): Fleet {
  const templateRoot = t.root;
  const template = t.fixture;
  mkdirSync(root, { recursive: true });
  const hosts = names.map((name) => {
    const hostRoot = join(root, name);
    // The home and its logs; not the CLI's temp caches (jiti), which a host rebuilds on its own.
    mkdirSync(join(hostRoot, 'tmp'), { recursive: true });
    execFileSync('cp', ['-a', join(templateRoot, 'home'), join(templateRoot, 'logs'), hostRoot]);
    // Each host's config names its own log file and workspace, as on a real machine.
    for (const file of walk(hostRoot)) {
      const text = readFileSync(file, 'latin1');
      if (text.includes(templateRoot)) writeFileSync(file, text.split(templateRoot).join(hostRoot), 'latin1');
    }
    return { name, root: hostRoot, home: join(hostRoot, 'home'), stateDir: join(hostRoot, 'home', '.openclaw') };
  });
  let n = 0;
  return {
    template,
    hosts,
    oldToken: template.oldToken,
    inventory(extra = [], patch = () => ({})) {
      const entries = [
        ...extra,
        ...hosts.map((h) => ({
          name: h.name,
          tags: canaries.includes(h.name) ? ['canary'] : [],
          transport: { type: 'local' },
          install: { method: 'npm' },
          stateDir: h.stateDir,
          env: { HOME: h.home, TMPDIR: join(h.root, 'tmp') },
          ...patch(h.name),
        })),
      ];
      const file = join(root, `inventory-${n++}.yaml`);
      writeFileSync(file, JSON.stringify({ version: 1, hosts: entries }, null, 2));
      return file;
    },
    holding(host) {
      return walk(host.root).filter((f) => readFileSync(f, 'latin1').includes(template.oldToken));
    },
  };
}

/** An inventory entry for a host nobody answers on: sshd's port on 127.0.0.1 with nothing listening. */
export async function unreachableHost(name: string, keyFile: string): Promise<Record<string, unknown>> {
  writeFileSync(keyFile, 'not a key\n', { mode: 0o600 });
  return {
    name,
    transport: { type: 'ssh', host: '127.0.0.1', port: await freePort(), user: 'ops', identityFile: keyFile, strictHostKeyChecking: false, connectTimeoutSec: 2 },
    install: { method: 'npm' },
  };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'tmp' && e.name !== 'quarantine') out.push(...walk(p));
    } else if (e.isFile()) out.push(p);
  }
  return out;
}
