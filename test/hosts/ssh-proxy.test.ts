/**
 * The ssh transport's proxyCommand, for real: the "host" is a network namespace whose sshd runs
 * in inetd mode as the ProxyCommand, so the master connection is the only way in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../../activities/hosts/transports/index.js';
import { hostSchema } from '../../lib/inventory/schema.js';
import { startNetnsHost, type NetnsHost } from '../fixtures/netns-host.js';

let h: NetnsHost;
const ctl = mkdtempSync(join(tmpdir(), 'respond-proxy-ctl-'));
beforeAll(async () => {
  h = await startNetnsHost();
});
afterAll(async () => {
  await h?.stop();
  rmSync(ctl, { recursive: true, force: true });
});

describe('ssh transport through a ProxyCommand', () => {
  it('runs commands inside the proxied host over one master connection', async () => {
    const t = createTransport(hostSchema.parse({ name: 'proxied', transport: h.transport(), install: { method: 'npm' } }), { controlDir: ctl });
    try {
      const netns = await t.run('ip', ['netns', 'identify'], { timeoutMs: 10_000 });
      expect(netns.stdout.trim()).toBe(h.ns);
      const addr = await t.run('ip', ['-4', '-br', 'addr', 'show', 'respond0'], { timeoutMs: 10_000 });
      expect(addr.stdout).toContain(h.address);
      await t.writeFile(join(ctl, 'proxied.txt'), 'through the proxy\n');
      expect(await t.readFile(join(ctl, 'proxied.txt'))).toBe('through the proxy\n');
      expect(h.handshakes()).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('rejects an inventory proxyCommand that is empty', () => {
    expect(() => hostSchema.parse({ name: 'p', transport: { ...h.transport(), proxyCommand: '' }, install: { method: 'npm' } })).toThrow();
  });
});
