/** What every command needs: configuration, a client (starting the embedded server if needed), who is acting. */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig, type RespondConfig } from '../lib/config.js';
import { ensureEmbedded } from '../lib/embedded/daemon.js';
import { UserError } from '../lib/errors.js';
import { projectRoot } from '../lib/project-root.js';
import { connectClient } from '../lib/temporal-connection.js';

export function cliEntry(): string {
  return join(projectRoot(), 'bin', 'respond.js');
}

export function config(): RespondConfig {
  return loadConfig();
}

export async function client(cfg: RespondConfig = config()): Promise<Client> {
  await ensureEmbedded(cfg, cliEntry(), (line) => process.stderr.write(`respond: ${line}\n`));
  try {
    return await connectClient(cfg);
  } catch (err) {
    throw new UserError(`cannot reach Temporal at ${cfg.address}: ${(err as Error).message.split('\n')[0]}`, 5);
  }
}

export function actor(explicit?: string): string {
  return explicit || process.env.RESPOND_ACTOR || userInfo().username;
}
