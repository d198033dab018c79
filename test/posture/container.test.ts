/**
 * `container` on real inputs: compose files written into a home (found and read by the probe,
 * parsed in evaluate), and real rootful Podman containers of the suite's OpenClaw image, one run
 * hardened and one not, inspected live. Ports are published on 127.0.0.1 only; the 0.0.0.0
 * publish is judged from a compose file nothing starts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerCheck } from '../../lib/posture/checks/container.js';
import { NEWER } from '../fixtures/openclaw.js';
import { ensureCellImage, podmanEnv } from '../fixtures/podman.js';
import { freePort } from '../helpers/sandbox.js';
import { gatewayFacts, runCheck } from './inputs.js';

const TOKEN = 'px-literal-token-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
let dir: string;
let env: Record<string, string>;
const names = { hard: `respond-px-hard-${process.pid}`, soft: `respond-px-soft-${process.pid}` };
const ports = { hard: 0, soft: 0 };

const podman = (args: string[]) => execa('podman', args, { env: { ...process.env, ...env } });

function home(name: string, compose: string): string {
  const h = join(dir, name);
  mkdirSync(join(h, '.openclaw'), { recursive: true });
  writeFileSync(join(h, 'docker-compose.yml'), compose);
  return h;
}

const facts = (h: string, over = {}) => gatewayFacts({ home: h, stateDir: join(h, '.openclaw'), configPath: join(h, '.openclaw', 'openclaw.json'), ...over });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'respond-container-'));
  env = await podmanEnv();
  const image = await ensureCellImage(NEWER);
  ports.hard = await freePort();
  ports.soft = await freePort();
  writeFileSync(join(dir, 'docker.sock'), '');
  await podman(['run', '-d', '--name', names.hard, '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--memory', '256m', '--pids-limit', '256', '--user', '1000', '-p', `127.0.0.1:${ports.hard}:${ports.hard}`, image, 'sleep', '600']);
  await podman(['run', '-d', '--name', names.soft, '--user', 'root', '-v', `${join(dir, 'docker.sock')}:/var/run/docker.sock`, '-p', `127.0.0.1:${ports.soft}:${ports.soft}`, image, 'sleep', '600']);
});

afterAll(async () => {
  for (const n of Object.values(names)) await execa('podman', ['rm', '-f', '-t', '0', n], { env: { ...process.env, ...env }, reject: false });
  rmSync(dir, { recursive: true, force: true });
});

describe('container: compose files', () => {
  it('a hardened compose service passes', async () => {
    const h = home('hardened', [
      'services:',
      '  gateway:',
      '    image: ghcr.io/openclaw/openclaw:2026.9.6',
      '    user: "1000:1000"',
      '    read_only: true',
      '    tmpfs: [/tmp]',
      '    security_opt: ["no-new-privileges:true"]',
      '    cap_drop: [ALL]',
      '    deploy:',
      '      resources:',
      '        limits:',
      '          memory: 2g',
      '          pids: 512',
      '    volumes:',
      '      - ./state:/home/node/.openclaw',
      '    ports:',
      '      - "127.0.0.1:18789:18789"',
      '      - target: 18790',
      '        published: 18790',
      '        host_ip: 127.0.0.1',
      '  db:',
      '    image: postgres:16',
      '    ports: ["5432:5432"]',
      '',
    ].join('\n'));
    const r = await runCheck(containerCheck, facts(h));
    expect(r.status, r.summary).toBe('pass');
    expect(r.summary).toBe(`hardened: ${h}/docker-compose.yml service gateway`);
  });

  it('socket mount, 0.0.0.0 publish, no cap_drop: fails naming each, and no secret in the result', async () => {
    const h = home('loose', [
      'services:',
      '  openclaw:',
      '    image: ghcr.io/openclaw/openclaw:2026.9.6',
      '    environment:',
      `      OPENCLAW_GATEWAY_TOKEN: ${TOKEN}`,
      '    volumes:',
      '      - /var/run/docker.sock:/var/run/docker.sock',
      '    ports:',
      '      - "0.0.0.0:18789:18789"',
      '      - "18790:18790"',
      '',
    ].join('\n'));
    const r = await runCheck(containerCheck, facts(h));
    expect(r.status, r.summary).toBe('fail');
    for (const item of [
      "no user set: the image's USER decides",
      'root filesystem is writable',
      'no-new-privileges not set',
      'capabilities not all dropped (cap_drop ALL)',
      'no memory limit',
      'container runtime socket mounted: /var/run/docker.sock',
      'port 18789 published on 0.0.0.0:18789',
      'port 18790 published on all interfaces:18790',
    ]) expect(r.summary).toContain(item);
    expect(r.fix?.commands?.[0]).toContain('  openclaw:\n    user: "1000:1000"');
    expect(r.fix?.commands?.[0]).toContain('- "127.0.0.1:18789:18789"');
    expect(JSON.stringify({ ...r, input: undefined })).not.toContain(TOKEN);
  });

  it('no container and no compose file: pass, not containerised', async () => {
    const h = join(dir, 'bare');
    mkdirSync(join(h, '.openclaw'), { recursive: true });
    const r = await runCheck(containerCheck, facts(h, { port: await freePort() }));
    expect(r.status, r.summary).toBe('pass');
    expect(r.summary).toMatch(/^not containerised/);
  });
});

describe('container: live podman containers', () => {
  const empty = () => join(dir, 'bare');

  it('the hardened container passes', async () => {
    const r = await runCheck(containerCheck, facts(empty(), { port: ports.hard, manager: { kind: 'docker', runtime: 'podman', container: names.hard, pid: null } }), env);
    expect(r.status, r.summary).toBe('pass');
    expect(r.summary).toBe(`hardened: podman container ${names.hard}`);
  });

  it('the loose one fails naming each item', async () => {
    const r = await runCheck(containerCheck, facts(empty(), { port: ports.soft, manager: { kind: 'docker', runtime: 'podman', container: names.soft, pid: null } }), env);
    expect(r.status, r.summary).toBe('fail');
    expect(r.summary).toBe(
      `podman container ${names.soft}: runs as root (user "root"), root filesystem is writable, no-new-privileges not set, capabilities not all dropped (cap_drop ALL), no memory limit, container runtime socket mounted: /var/run/docker.sock`,
    );
    expect(r.fix?.text).toContain(`podman run --user 1000:1000 --read-only --tmpfs /tmp --security-opt no-new-privileges --cap-drop ALL --memory 2g --pids-limit 512 -p 127.0.0.1:${ports.soft}:${ports.soft}`);
  });

  it('a container respond names that does not run: unknown', async () => {
    const r = await runCheck(containerCheck, facts(empty(), { port: await freePort(), manager: { kind: 'docker', runtime: 'podman', container: 'respond-px-gone', pid: null } }), env);
    expect(r.status, r.summary).toBe('unknown');
    expect(r.summary).toBe('gateway runs in podman container respond-px-gone, but podman inspect did not show it');
  });
});
