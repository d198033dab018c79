/**
 * A real OpenClaw state dir for sweep tests, made by the real `openclaw` CLI (2026.9.6 on a
 * Node 24 from npm, both from the shared host fixtures), in which an old gateway token was rotated away: the CLI's own config
 * backups keep it in openclaw.json.bak*. The test then leaves the copies an incident leaves: a
 * log line, a session transcript line, a shell history line, an encoded copy.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { ensureNode24 } from '../../fixtures/node24.js';
import { ensureOpenclaw, NEWER } from '../../fixtures/openclaw.js';

/** The openclaw install and Node 24 shared with the host fixtures (cached per machine). */
export async function ensureOpenClaw(): Promise<{ bin: string; pathDir: string }> {
  const node = await ensureNode24();
  const prefix = await ensureOpenclaw(NEWER);
  return { bin: join(prefix, 'node_modules', '.bin', 'openclaw'), pathDir: dirname(node) };
}

export interface OpenClawFixture {
  home: string;
  stateDir: string;
  logDir: string;
  oldToken: string;
  newToken: string;
  /** Every file that holds the old token in any form, found by reading the tree in the test. */
  filesWithOldToken(): string[];
  transcript: string;
  logFile: string;
  history: string;
}

export function gatewayToken(): string {
  // What openclaw itself generates: 24 random bytes as hex.
  return randomBytes(24).toString('hex');
}

export async function makeOpenClawFixture(root: string): Promise<OpenClawFixture> {
  const { bin, pathDir } = await ensureOpenClaw();
  const home = join(root, 'home');
  const stateDir = join(home, '.openclaw');
  const logDir = join(root, 'logs', 'openclaw');
  mkdirSync(join(root, 'tmp'), { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const env = {
    PATH: `${pathDir}:${process.env.PATH}`,
    HOME: home,
    OPENCLAW_STATE_DIR: stateDir,
    TMPDIR: join(root, 'tmp'),
    OPENCLAW_DISABLE_BONJOUR: '1',
    NO_COLOR: '1',
  };
  const oc = (...args: string[]) => execa(bin, args, { env, extendEnv: false, stdin: 'ignore' });
  const oldToken = gatewayToken();
  const newToken = gatewayToken();
  await oc('setup', '--baseline');
  await oc('config', 'set', 'gateway.mode', 'local');
  await oc('config', 'set', 'gateway.auth.token', oldToken);
  await oc('config', 'set', 'logging.file', join(logDir, 'openclaw-2026-11-23.log'));
  // The rotation: the live config gets the new token, the CLI's backups keep the old one.
  await oc('config', 'set', 'gateway.auth.token', newToken);
  await oc('config', 'set', 'gateway.port', '18789');

  const sessions = join(stateDir, 'agents', 'main', 'sessions');
  mkdirSync(sessions, { recursive: true });
  const transcript = join(sessions, `${randomUUID()}.jsonl`);
  const toolOutput = `OPENCLAW_GATEWAY_PORT=18789\nOPENCLAW_GATEWAY_TOKEN=${oldToken}\nHOME=${home}\n`;
  const basic = Buffer.from(`operator:${oldToken}`).toString('base64');
  writeFileSync(
    transcript,
    [
      { type: 'session', version: 3, id: randomUUID(), timestamp: '2026-11-23T09:12:00.000Z', cwd: join(stateDir, 'workspace') },
      { type: 'message', id: 'a1', timestamp: '2026-11-23T09:12:04.000Z', message: { role: 'assistant', content: [{ type: 'toolCall', name: 'exec', arguments: { command: 'env | grep OPENCLAW' } }] } },
      { type: 'message', id: 'a2', timestamp: '2026-11-23T09:12:05.000Z', message: { role: 'toolResult', content: [{ type: 'text', text: toolOutput }] } },
      { type: 'message', id: 'a3', timestamp: '2026-11-23T09:12:09.000Z', message: { role: 'assistant', content: [{ type: 'text', text: `curl -H 'Authorization: Basic ${basic}' http://127.0.0.1:18789/` }] } },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
  );
  const logFile = join(logDir, 'openclaw-2026-11-23.log');
  writeFileSync(
    logFile,
    [
      { time: '2026-11-23T09:10:00.000Z', level: 'info', subsystem: 'gateway', msg: 'listening on ws://127.0.0.1:18789' },
      { time: '2026-11-23T09:11:00.000Z', level: 'warn', subsystem: 'gateway/ws', msg: `control ui opened http://127.0.0.1:18789/?token=${oldToken}` },
      { time: '2026-11-23T09:11:30.000Z', level: 'warn', subsystem: 'gateway/ws', msg: 'unauthorized', reason: 'token_mismatch' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
  );
  const history = join(home, '.bash_history');
  writeFileSync(history, `ls\nexport OPENCLAW_GATEWAY_TOKEN=${oldToken}\nopenclaw gateway --port 18789\n`);

  const variants = [oldToken, Buffer.from(`operator:${oldToken}`).toString('base64')];
  return {
    home,
    stateDir,
    logDir,
    oldToken,
    newToken,
    transcript,
    logFile,
    history,
    filesWithOldToken: () => walk(root).filter((f) => {
      const text = readFileSync(f, 'latin1');
      return variants.some((v) => text.includes(v));
    }),
  };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'tmp') out.push(...walk(p));
    } else if (e.isFile()) out.push(p);
  }
  return out;
}
