/**
 * Time from `respond start` to the first step running on the embedded default, cold (no server
 * running: the command starts the dev server and worker) and warm (already running). Prints JSON.
 * Usage: npm run bench:start [-- --runs N]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'respond.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'respond-bench-'));
const runbook = join(dir, 'bench.yaml');
writeFileSync(runbook, 'name: bench\nsteps:\n  - id: first\n    kind: exec\n    command: ["true"]\n');
const env = {
  ...process.env,
  TEMPORAL_ADDRESS: '',
  RESPOND_STATE_DIR: join(dir, 'state'),
  RESPOND_TEMPORAL_PORT: String(await freePort()),
  RESPOND_UI_PORT: String(await freePort()),
};

function firstStepStartedAt(incident: string): number | undefined {
  try {
    const lines = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8').split('\n').filter(Boolean);
    const e = lines.map((l) => JSON.parse(l)).find((x) => x.incident === incident && x.event === 'step.started');
    return e ? Date.parse(e.ts) : undefined;
  } catch {
    return undefined;
  }
}

async function once(incident: string): Promise<number> {
  const t0 = Date.now();
  await execa(process.execPath, [cli, 'start', runbook, '--incident', incident, '--detach'], { env });
  for (;;) {
    const at = firstStepStartedAt(incident);
    if (at) return at - t0;
    if (Date.now() - t0 > 120_000) throw new Error('first step never started');
    await new Promise((r) => setTimeout(r, 20));
  }
}

try {
  const cold = await once('cold');
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) warm.push(await once(`warm-${i}`));
  warm.sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        benchmark: 'respond start -> first step running (embedded default)',
        cold_ms: cold,
        warm_ms: { runs, min: warm[0], median: warm[Math.floor(warm.length / 2)], max: warm[warm.length - 1] },
      },
      null,
      2,
    ),
  );
} finally {
  await execa(process.execPath, [cli, 'server', '--stop'], { env, reject: false });
  await new Promise((r) => setTimeout(r, 2000));
  rmSync(dir, { recursive: true, force: true });
}
