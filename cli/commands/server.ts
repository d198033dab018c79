/** `respond server`: the embedded Temporal dev server and a worker, in the foreground. */
import type { Command } from 'commander';
import { daemonFiles, readPid, stopDaemon, superviseEmbedded } from '../../lib/embedded/daemon.js';
import { portAccepts } from '../../lib/embedded/dev-server.js';
import { UserError } from '../../lib/errors.js';
import { cliEntry, config } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function register(program: Command): void {
  program
    .command('server')
    .description('run the embedded Temporal dev server (SQLite, web UI, 127.0.0.1 only) and a worker in the foreground')
    .option('--stop', 'stop the embedded server running in the background')
    .option('--status', 'say whether the embedded server runs')
    .action(async (opts: { stop?: boolean; status?: boolean }) => {
      const cfg = config();
      if (cfg.mode !== 'embedded') throw new UserError('TEMPORAL_ADDRESS is set: respond uses that cluster, not an embedded server');
      if (opts.stop) {
        const pid = stopDaemon(cfg);
        console.log(pid ? `stopping embedded server (pid ${pid})` : 'embedded server is not running');
        return;
      }
      if (opts.status) {
        const files = daemonFiles(cfg);
        const pid = readPid(files.pid);
        const up = await portAccepts(cfg.embedded.port);
        console.log(
          JSON.stringify({
            running: Boolean(pid),
            pid,
            serverPid: readPid(files.serverPid),
            workerPid: readPid(files.workerPid),
            frontend: `127.0.0.1:${cfg.embedded.port}`,
            accepting: up,
            ui: `http://127.0.0.1:${cfg.embedded.uiPort}`,
            db: cfg.embedded.dbFile,
          }),
        );
        process.exitCode = pid ? EXIT.ok : EXIT.notFound;
        return;
      }
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} respond server: ${line}\n`);
      await superviseEmbedded(cfg, cliEntry(), log);
    });
}
