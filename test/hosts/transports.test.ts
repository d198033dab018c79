import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTransport, SshTransport, TransportError, type Transport } from '../../activities/hosts/transports/index.js';
import { fingerprint } from '../../lib/secrets.js';
import { startSshd, type SshdFixture } from '../fixtures/sshd.js';

let sshd: SshdFixture;
const work = mkdtempSync(join(tmpdir(), 'respond-transport-'));
const SECRET = 'tr-secret-0123456789abcdef';

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

const kinds: Array<[string, () => Transport]> = [
  ['local', () => new LocalTransport({ RESPOND_TEST: 'yes' })],
  ['ssh', () => new SshTransport(sshd.transport(), { RESPOND_TEST: 'yes' }, { controlDir: join(work, 'ctl') })],
];

describe.each(kinds)('%s transport', (kind, make) => {
  let t: Transport;
  beforeAll(() => {
    t = make();
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs a command with env, args and stdin', async () => {
    const r = await t.run('sh', ['-c', 'printf "%s|%s|" "$RESPOND_TEST" "$1"; cat', 'sh', "it's quoted"], { timeoutMs: 10_000, stdin: 'from stdin' });
    expect(r).toMatchObject({ exitCode: 0, stdout: "yes|it's quoted|from stdin", timedOut: false });
  });

  it('reports a non-zero exit without throwing', async () => {
    const r = await t.run('sh', ['-c', 'echo oops >&2; exit 3'], { timeoutMs: 10_000 });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('oops');
  });

  it('kills a command that outlives its timeout', async () => {
    const began = Date.now();
    const r = await t.run('sleep', ['30'], { timeoutMs: 1_500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).not.toBe(0);
    expect(Date.now() - began).toBeLessThan(20_000);
  });

  it('writes atomically, reads back, and reads a missing file as null', async () => {
    const p = join(work, kind, 'sub', 'file.txt');
    await t.writeFile(p, 'line one\nline two\n', { mode: 0o640 });
    expect(await t.readFile(p)).toBe('line one\nline two\n');
    expect((await t.run('stat', ['-c', '%a', p], { timeoutMs: 5_000 })).stdout.trim()).toBe('640');
    expect(await t.readFile(join(work, kind, 'absent'))).toBeNull();
  });

  it('uploads a file', async () => {
    const src = join(work, `${kind}-src.bin`);
    writeFileSync(src, Buffer.from('binary\u0000ish\ncontent'));
    const dest = join(work, kind, 'up', 'dest.bin');
    await t.upload(src, dest);
    expect(readFileSync(dest)).toEqual(readFileSync(src));
  });

  it('redacts known secrets from output', async () => {
    t.addSecrets([SECRET]);
    const r = await t.run('sh', ['-c', `echo "token=${SECRET}"; echo "${SECRET}" >&2`], { timeoutMs: 10_000 });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout).toContain(fingerprint(SECRET));
  });
});

describe('ssh transport failures and multiplexing', () => {
  it('pays one handshake for many commands, file transfers and a port forward', async () => {
    const t = new SshTransport(sshd.transport(), {}, { controlDir: join(work, 'ctl-mux') });
    const before = sshd.handshakes();
    for (let i = 0; i < 5; i++) expect((await t.run('true', [], { timeoutMs: 5_000 })).exitCode).toBe(0);
    await t.writeFile(join(work, 'mux.txt'), 'x');
    await t.readFile(join(work, 'mux.txt'));
    const fwd = await t.forwardPort(sshd.port);
    await fwd.close();
    expect(sshd.handshakes() - before).toBe(1);
    await t.close();
  });

  it('replaces a master that died and left its socket behind, with one new handshake', async () => {
    const ctl = join(work, 'ctl-stale');
    const t = new SshTransport(sshd.transport(), {}, { controlDir: ctl });
    await t.run('true', [], { timeoutMs: 5_000 });
    const socket = readdirSync(ctl).find((f) => !f.endsWith('.log'))!;
    const check = await execa('ssh', ['-F', 'none', '-o', `ControlPath=${join(ctl, socket)}`, '-O', 'check', 'x'], { reject: false });
    const pid = Number(/pid=(\d+)/.exec(check.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(join(ctl, socket))).toBe(true);
    const before = sshd.handshakes();
    for (let i = 0; i < 3; i++) expect((await t.run('true', [], { timeoutMs: 5_000 })).exitCode).toBe(0);
    expect(sshd.handshakes() - before).toBe(1);
    await t.close();
  });

  it('fails fast and clearly on a host key mismatch', async () => {
    const wrong = join(work, 'wrong_known_hosts');
    // A real key, but not this server's.
    writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ${readFileSync(`${sshd.clientKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const t = new SshTransport(sshd.transport({ knownHostsFile: wrong }), {}, { controlDir: join(work, 'ctl-bad') });
    const err = await t.run('true', [], { timeoutMs: 5_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.kind).toBe('host-key');
    expect(err.message).toMatch(/host key does not match .*wrong_known_hosts/);
  });

  it('fails fast and clearly when the host is unreachable', async () => {
    const t = new SshTransport(sshd.transport({ port: 1 }), {}, { controlDir: join(work, 'ctl-down') });
    const began = Date.now();
    const err = await t.run('true', [], { timeoutMs: 5_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.kind).toBe('unreachable');
    expect(err.message).toMatch(/unreachable \(.*Connection refused/);
    expect(Date.now() - began).toBeLessThan(15_000);
  });

  it('gives up on a host that never answers within the connect timeout', async () => {
    // TEST-NET-1: routable nowhere, so packets vanish instead of being refused.
    const t = new SshTransport(sshd.transport({ host: '192.0.2.1', port: 22, connectTimeoutSec: 2 }), {}, { controlDir: join(work, 'ctl-void') });
    const began = Date.now();
    const err = await t.run('true', [], { timeoutMs: 5_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.kind).toBe('unreachable');
    expect(Date.now() - began).toBeLessThan(15_000);
  });

  it('fails clearly when the key is not authorised', async () => {
    const t = new SshTransport(sshd.transport({ identityFile: join(sshd.dir, 'ssh_host_ed25519_key') }), {}, { controlDir: join(work, 'ctl-auth') });
    const err = await t.run('true', [], { timeoutMs: 5_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.kind).toBe('auth');
  });
});
