/**
 * What the payload codec costs: wall time of a whole small runbook run (test/runbooks/approvals.yaml,
 * auto-approved, `start --wait`) with the codec on and off, each on its own warm embedded server
 * (runs alternate between the two),
 * plus encode and decode microseconds per payload. Prints JSON.
 * Usage: npm run bench:codec [-- --runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { AesGcmCodec } from '../lib/codec/aes-gcm-codec.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'respond.js');
const runbook = join(root, 'test', 'runbooks', 'approvals.yaml');

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
async function installation(codec: 'on' | 'off') {
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
      await execa(process.execPath, [cli, 'start', runbook, '--incident', incident, '--set', `out=${join(dir, incident)}`, '--auto-approve', '--wait'], { env, stdin: 'ignore' });
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

const off = await installation('off');
const on = await installation('on');
try {
  // The first runs start each server and worker; they are not measured.
  for (const i of [off, on]) await i.run('warmup-1');
  for (const i of [off, on]) await i.run('warmup-2');
  for (let n = 0; n < runs; n++) for (const i of n % 2 ? [on, off] : [off, on]) i.times.push(await i.run(`run-${n}`));
} finally {
  await off.stop();
  await on.stop();
}
const round = (xs: number[]) => xs.map((x) => Math.round(x));
console.log(
  JSON.stringify(
    {
      runbook: 'test/runbooks/approvals.yaml --auto-approve --wait (5 steps, 4 approvals)',
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
