/**
 * Contain one gateway: read what its config exposes, and (approved) write the edits that close
 * it: bind to loopback, Tailscale off, open DM policies disabled, `"*"` allow entries removed.
 * The config is copied to a 0700 quarantine dir first (it holds credentials: 0600, never shown).
 * Refuses to write if the config changed since the approved plan; a retry after the write finds
 * nothing left to do. Takes effect at the gateway's next start or config reload.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { UserError } from '../../lib/errors.js';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { applyEdits, containEdits, exposureOf, type ConfigEdit, type Exposure } from '../../lib/contain/exposure.js';
import { compareVersions, isOpenclawVersion } from '../../lib/openclaw-version.js';
import { openQuarantineDir, type QuarantineSettings } from '../hosts/quarantine-base.js';
import { createTransport } from '../hosts/transports/index.js';
import { openOpenclawHost, runOpenclaw, type OpenclawHost } from '../openclaw/host.js';

export interface ContainPlan {
  host: string;
  configPath: string;
  exposure: Exposure;
  edits: ConfigEdit[];
}

export interface ContainResult {
  host: string;
  applied: ConfigEdit[];
  quarantinedConfig?: string;
}

// `openclaw config patch --stdin` (JSON merge patch) arrived in 2026.9.6; before it a JSON5
// config can only be edited by hand without losing its comments.
const PATCH_SINCE = '2026.9.6';

async function open(spec: HostSpec): Promise<OpenclawHost> {
  return openOpenclawHost(spec, createTransport(spec));
}

export async function planContain(spec: HostSpec): Promise<ContainPlan> {
  const h = await open(spec);
  try {
    return { host: spec.name, configPath: h.configPath, exposure: exposureOf(h.rawConfig), edits: containEdits(h.rawConfig) };
  } finally {
    await h.t.close();
  }
}

export async function applyContain(input: { host: HostSpec; edits: ConfigEdit[]; label: string }, q: QuarantineSettings): Promise<ContainResult> {
  const h = await open(input.host);
  try {
    const now = containEdits(h.rawConfig);
    if (now.length === 0) return { host: input.host.name, applied: [] };
    if (JSON.stringify(now) !== JSON.stringify(input.edits)) {
      throw ApplicationFailure.nonRetryable(`${input.host.name}: ${h.configPath} changed since the approved containment plan; nothing was written; plan and approve again`, 'HostDrifted');
    }
    const text = await h.t.readFile(h.configPath);
    if (text === null) throw new Error(`${input.host.name}: ${h.configPath} disappeared`);
    const dir = await openQuarantineDir(h.t, input.host.transport.type === 'local', q, input.host.name, input.label);
    const copy = `${dir}/openclaw.json.before-contain`;
    await h.t.writeFile(copy, text, { mode: 0o600 });

    let strict: Record<string, unknown> | undefined;
    try {
      strict = JSON.parse(text) as Record<string, unknown>;
    } catch {
      strict = undefined;
    }
    if (strict) {
      applyEdits(strict, input.edits);
      await h.t.writeFile(h.configPath, `${JSON.stringify(strict, null, 2)}\n`, { mode: 0o600 });
    } else {
      const v = h.pkg?.version;
      if (!v || !isOpenclawVersion(v) || compareVersions(v, PATCH_SINCE) < 0) {
        throw new UserError(`${input.host.name}: ${h.configPath} is JSON5 and OpenClaw ${v ?? '(none)'} has no config patch: make these edits by hand: ${input.edits.map((e) => `${e.path}=${JSON.stringify(e.after)}`).join(', ')}`);
      }
      const patch: Record<string, unknown> = {};
      applyEdits(patch, input.edits);
      const r = await runOpenclaw(h, ['config', 'patch', '--stdin'], { timeoutMs: 120_000, stdin: JSON.stringify(patch) });
      if (r.exitCode !== 0) throw new Error(`${input.host.name}: openclaw config patch failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? ''}`);
    }
    const after = await open(input.host);
    try {
      const left = containEdits(after.rawConfig);
      if (left.length > 0) throw new Error(`${input.host.name}: after the write ${left.map((e) => e.path).join(', ')} still expose the gateway; the original config is in ${copy}`);
    } finally {
      await after.t.close();
    }
    return { host: input.host.name, applied: input.edits, quarantinedConfig: copy };
  } finally {
    await h.t.close();
  }
}
