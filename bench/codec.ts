/**
 * What the payload codec costs: wall time of whole runbook runs with the codec on and off, each on
 * its own warm embedded server (runs alternate between the two so machine load hits both alike):
 * a small approvals runbook (test/runbooks/approvals.yaml, auto-approved, `start --wait`) and,
 * with `--rotate`, a real gateway-token rotation (runbooks/rotate.yaml) of a live 2026.9.6
 * gateway; plus encode and decode microseconds per payload. Prints JSON.
 * Usage: npm run bench:codec [-- --runs N] [-- --rotate]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { AesGcmCodec } from '../lib/codec/aes-gcm-codec.js';
import { writeFileSync } from 'node:fs';
import { launchNohup } from '../test/fixtures/gateway-launchers.js';
import { createFixtureHost, NEWER } from '../test/fixtures/openclaw.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'respond.js');
const rotate = process.argv.includes('--rotate');
const runbook = join(root, rotate ? join('runbooks', 'rotate.yaml') : join('test', 'runbooks', 'approvals.yaml'));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One private embedded installation; runs alternate between the two so machine load hits both alike. */
async function installation(codec: 'on' | 'off', args: (dir: string, incident: string) => string[]) {
  const dir = mkdtempSync(join(tmpdir(), `respond-bench-codec-${codec}-`));
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: '',
    RESPOND_CODEC: codec,
    RESPOND_STATE_DIR: join(dir, 'state'),
    RESPOND_TEMPORAL_PORT: String(await freePort()),
    RESPOND_UI_PORT: String(await freePort()),
    RESPOND_CODEC_SERVER_PORT: String(await freePort()),
    RESPOND_TEST_TOKEN: `bench-${randomBytes(8).toString('hex')}`,
    RESPOND_ACTOR: 'bench',
  };
  return {
    times: [] as number[],
    async run(incident: string) {
      const t0 = performance.now();
      await execa(process.execPath, [cli, 'start', runbook, '--incident', incident, ...args(dir, incident), '--auto-approve', '--wait'], { env, stdin: 'ignore' });
      return performance.now() - t0;
    },
    async stop() {
      await execa(process.execPath, [cli, 'server', '--stop'], { env, reject: false });
      await new Promise((r) => setTimeout(r, 2000));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function perPayload(bytes: number, n = 2000) {
  const key = randomBytes(32);
  const codec = new AesGcmCodec(() => ({ activeId: 'bench', keys: new Map([['bench', key]]), created: new Map() }));
  const payload = { metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new Uint8Array(randomBytes(bytes)) };
  const encoded = await codec.encode([payload]);
  for (let i = 0; i < 200; i++) await codec.decode(await codec.encode([payload]));
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await codec.encode([payload]);
  const encodeUs = ((performance.now() - t0) * 1000) / n;
  t0 = performance.now();
  for (let i = 0; i < n; i++) await codec.decode(encoded);
  const decodeUs = ((performance.now() - t0) * 1000) / n;
  return { payloadBytes: bytes, encodeUs: Number(encodeUs.toFixed(1)), decodeUs: Number(decodeUs.toFixed(1)) };
}

// The rotate runs rotate one live gateway's token again and again, alternately from each installation.
const host = rotate ? await createFixtureHost({ name: 'codec-bench', version: NEWER, start: false }) : undefined;
const gateway = host ? await launchNohup(host) : undefined;
const inventory = join(tmpdir(), `respond-bench-codec-inventory-${process.pid}.yaml`);
if (host) writeFileSync(inventory, JSON.stringify({ version: 1, hosts: [{ ...host.spec, tags: ['canary'] }] }));
const args = (dir: string, incident: string) => (rotate ? ['--inventory', inventory, '--set', `tokenFile=${join(dir, `${incident}.token`)}`] : ['--set', `out=${join(dir, incident)}`]);
const off = await installation('off', args);
const on = await installation('on', args);
try {
  // The first runs start each server and worker; they are not measured.
  for (const i of [off, on]) await i.run('warmup-1');
  for (const i of [off, on]) await i.run('warmup-2');
  for (let n = 0; n < runs; n++) for (const i of n % 2 ? [on, off] : [off, on]) i.times.push(await i.run(`run-${n}`));
} finally {
  await off.stop();
  await on.stop();
  await gateway?.stop();
  await host?.destroy();
  rmSync(inventory, { force: true });
}
const round = (xs: number[]) => xs.map((x) => Math.round(x));
console.log(
  JSON.stringify(
    {
      runbook: rotate
        ? 'runbooks/rotate.yaml --auto-approve --wait: gateway token of one live 2026.9.6 gateway (create, set, prove, revoke, scrub)'
        : 'test/runbooks/approvals.yaml --auto-approve --wait (5 steps, 4 approvals)',
      runs,
      codecOffMs: { median: Math.round(median(off.times)), min: Math.round(Math.min(...off.times)), all: round(off.times) },
      codecOnMs: { median: Math.round(median(on.times)), min: Math.round(Math.min(...on.times)), all: round(on.times) },
      overheadMedianMs: Math.round(median(on.times) - median(off.times)),
      overheadMinMs: Math.round(Math.min(...on.times) - Math.min(...off.times)),
      perPayload: [await perPayload(100), await perPayload(4096), await perPayload(65536, 500)],
    },
    null,
    2,
  ),
);
