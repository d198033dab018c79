/** `respond codec status|rotate-key` and `respond codec-server`: key ids only, never key bytes. */
import type { Command } from 'commander';
import { readKeyringFile, rotateKeyringFile, ensureKeyringFile } from '../../lib/codec/keyring.js';
import { codecEndpoint, serveCodec } from '../../lib/codec/serve.js';
import { keyringSource } from '../../lib/codec/settings.js';
import { tokenPath } from '../../lib/codec/token.js';
import { UserError } from '../../lib/errors.js';
import { config } from '../context.js';

function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UserError(`--port ${text}: not a TCP port`);
  return n;
}

export function register(program: Command): void {
  const codec = program.command('codec').description('payload encryption (AES-256-GCM) keys');
  codec
    .command('status')
    .description('show whether the codec is on, its key ids and which one is active')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const cfg = config();
      const s = cfg.codec;
      const ring = keyringSource(s)?.();
      const view = {
        codec: s.mode === 'off' ? 'off' : 'on',
        source: s.mode === 'file' ? s.path : s.mode === 'env' ? 'RESPOND_CODEC_KEY' : undefined,
        active: ring?.activeId,
        keys: ring ? [...ring.keys.keys()].map((id) => ({ id, active: id === ring.activeId, created: ring.created.get(id) })) : [],
        codecServer: cfg.mode === 'embedded' && s.mode !== 'off' ? { endpoint: codecEndpoint(cfg), tokenFile: tokenPath(cfg.stateDir) } : undefined,
      };
      if (opts.json) return console.log(JSON.stringify(view));
      console.log(`codec: ${view.codec}${view.source ? ` (keys: ${view.source})` : ''}`);
      for (const k of view.keys) console.log(`  ${k.active ? '*' : ' '} ${k.id}  ${k.created}`);
      if (view.codecServer) console.log(`codec server: ${view.codecServer.endpoint} (token in ${view.codecServer.tokenFile})`);
    });
  codec
    .command('rotate-key')
    .description('add a fresh active key; older keys stay for decoding')
    .action(() => {
      const s = config().codec;
      if (s.mode === 'off') throw new UserError('the payload codec is off (RESPOND_CODEC=off)');
      if (s.mode === 'env') throw new UserError('RESPOND_CODEC_KEY is one fixed key: rotate with a keyring file (RESPOND_CODEC_KEYS_FILE)');
      if (s.create) ensureKeyringFile(s.path);
      else readKeyringFile(s.path);
      const r = rotateKeyringFile(s.path);
      console.log(`active key ${r.active} (was ${r.previous}; kept for decoding)`);
    });

  program
    .command('codec-server')
    .description("serve Temporal's remote codec protocol on 127.0.0.1 (bearer token required) for the web UI and the temporal CLI")
    .option('--port <n>', 'TCP port (default RESPOND_CODEC_SERVER_PORT or 8234)', parsePort)
    .action(async (opts: { port?: number }) => {
      const cfg = config();
      const port = opts.port ?? cfg.codecServerPort;
      const server = await serveCodec(cfg, port, (line) => process.stderr.write(`respond codec-server: ${line}\n`));
      process.stderr.write(`respond codec-server: ${codecEndpoint(cfg, port)} (token in ${tokenPath(cfg.stateDir)})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
