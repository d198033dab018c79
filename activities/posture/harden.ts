/**
 * Applies an approved harden plan to one host's OpenClaw config through the host's own CLI
 * (`openclaw config set/unset`, which validates keys and keeps its .bak), after checking each key
 * still holds what the approval showed; a new token is installed the way a rotation installs one
 * (activities/rotation/providers/openclaw-gateway.ts). A copy of the config goes to quarantine
 * first, and any failure puts the original back. A retry finds applied keys already at their target and skips them.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { UserError } from '../../lib/errors.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import type { HardenChange } from '../../lib/posture/harden-plan.js';
import { fingerprint } from '../../lib/secrets.js';
import { createTransport } from '../hosts/transports/index.js';
import { openQuarantineDir, type QuarantineSettings } from '../hosts/quarantine-base.js';
import { getPath, parseConfig } from '../openclaw/config.js';
import { openOpenclawHost, runOpenclaw, type OpenclawHost } from '../openclaw/host.js';
import { openclawGateway } from '../rotation/providers/openclaw-gateway.js';

export interface HardenApplyInput {
  host: HostSpec;
  changes: HardenChange[];
  /** Where on the worker a new token is delivered (0600), for the clients that need it. */
  tokenFile?: string;
  /** Names the quarantine copy, so a retry reuses it. */
  runId: string;
}

export interface HardenApplyResult {
  applied: string[];
  alreadyDone: string[];
  configCopy: string;
  token?: { fingerprint: string; deliveredTo: string };
}

async function configNow(h: OpenclawHost): Promise<{ text: string; config: unknown }> {
  const text = await h.t.readFile(h.configPath);
  if (text === null) throw new UserError(`host ${h.spec.name}: ${h.configPath} not found`);
  return { text, config: parseConfig(text) };
}

const valueAt = (config: unknown, key: string) => getPath(config, key.split('.')) ?? null;

/** The token to install: the one already delivered by an earlier try, else a fresh one, delivered first. */
function deliveredToken(file: string): string {
  if (existsSync(file)) {
    const v = readFileSync(file, 'utf8').trim();
    if (v) return v;
  }
  const v = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${v}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return v;
}

async function cli(h: OpenclawHost, args: string[], stdin?: string): Promise<void> {
  const r = await runOpenclaw(h, args, { timeoutMs: 120_000, ...(stdin ? { stdin } : {}) });
  if (r.exitCode !== 0) throw new Error(`host ${h.spec.name}: openclaw ${args.slice(0, 3).join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
}

export async function hardenApply(input: HardenApplyInput, quarantine: QuarantineSettings): Promise<HardenApplyResult> {
  const t = createTransport(input.host);
  try {
    const h = await openOpenclawHost(input.host, t);
    const before = await configNow(h);
    const todo: HardenChange[] = [];
    const alreadyDone: string[] = [];
    for (const c of input.changes) {
      const cur = valueAt(before.config, c.key);
      if (c.secret ? typeof cur === 'string' && cur !== '' : isDeepStrictEqual(cur, c.to)) {
        alreadyDone.push(c.key);
        continue;
      }
      if (!c.secret && !isDeepStrictEqual(cur, c.from)) {
        throw new UserError(`host ${input.host.name}: ${c.key} is ${JSON.stringify(cur)} now, not ${JSON.stringify(c.from)} as approved: run posture and harden again`);
      }
      todo.push(c);
    }
    const qdir = await openQuarantineDir(t, input.host.transport.type === 'local', quarantine, input.host.name, `harden-${input.runId.replace(/[^A-Za-z0-9._-]/g, '_')}`);
    const configCopy = `${qdir}/openclaw.json`;
    if ((await t.readFile(configCopy)) === null) await t.writeFile(configCopy, before.text, { mode: 0o600 });
    const result: HardenApplyResult = { applied: [], alreadyDone, configCopy };
    try {
      for (const c of todo) {
        if (c.secret) {
          if (!input.tokenFile) throw new UserError(`host ${input.host.name}: a new token needs a tokenFile to deliver it to`);
          const value = deliveredToken(input.tokenFile);
          // The rotation provider's install: a plain-JSON config rewritten in place, else the host's CLI.
          await openclawGateway.install(h, null, { value });
          result.token = { fingerprint: fingerprint(value), deliveredTo: input.tokenFile };
        } else if (c.to === null) {
          await cli(h, ['config', 'unset', c.key]);
        } else {
          await cli(h, ['config', 'set', c.key, JSON.stringify(c.to), '--json']);
        }
        result.applied.push(c.key);
      }
      const after = (await configNow(h)).config;
      for (const c of input.changes) {
        const v = valueAt(after, c.key);
        if (c.secret ? typeof v !== 'string' || v === '' : !isDeepStrictEqual(v, c.to)) throw new Error(`host ${input.host.name}: ${c.key} did not take (${c.secret ? 'unset' : JSON.stringify(v)})`);
      }
      return result;
    } catch (e) {
      // All or nothing: the config as it was before this step.
      await t.writeFile(h.configPath, before.text, { mode: 0o600 });
      throw e;
    }
  } finally {
    await t.close();
  }
}
