/**
 * Every agent workspace a host's OpenClaw uses. The host's own CLI decides first
 * (`openclaw agents list --json` resolves profiles, OPENCLAW_WORKSPACE_DIR, rosters and each
 * release's defaults the way the gateway does); when it cannot run, the config is read the way
 * the package's docs describe (docs/concepts/agent-workspace.md, multi-agent.md).
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { getPath } from './config.js';
import { runOpenclaw, type OpenclawHost } from './host.js';
import { expandHome } from './paths.js';

export interface AgentWorkspace {
  agent: string;
  /** Absolute path on the host. */
  workspace: string;
  isDefault: boolean;
}

export interface WorkspaceList {
  workspaces: AgentWorkspace[];
  source: 'openclaw-cli' | 'config';
  /** Why the CLI's answer was not used, when it was not. */
  cliError?: string;
}

const agentsSchema = z.array(
  z.object({ id: z.string().min(1), workspace: z.string().min(1), isDefault: z.boolean().optional() }).passthrough(),
);

export async function agentWorkspaces(h: OpenclawHost): Promise<WorkspaceList> {
  let cliError: string | undefined;
  if (h.pkg) {
    const r = await runOpenclaw(h, ['agents', 'list', '--json'], { timeoutMs: 90_000 });
    const start = r.stdout.indexOf('[');
    const parsed = r.exitCode === 0 && start >= 0 ? safeJson(r.stdout.slice(start)) : undefined;
    const list = parsed === undefined ? undefined : agentsSchema.safeParse(parsed);
    if (list?.success && list.data.length > 0) {
      return {
        source: 'openclaw-cli',
        workspaces: dedupe(list.data.map((a) => ({ agent: a.id, workspace: expandHome(a.workspace, h.home), isDefault: a.isDefault ?? false }))),
      };
    }
    cliError = r.exitCode !== 0 ? `openclaw agents list exited ${r.exitCode}` : 'openclaw agents list printed no agents';
  } else {
    cliError = 'OpenClaw is not installed';
  }
  return { source: 'config', workspaces: workspacesFromConfig(h), cliError };
}

/** The docs' rules, for when the CLI is missing or broken (a half-finished upgrade). */
export function workspacesFromConfig(h: Pick<OpenclawHost, 'rawConfig' | 'stateDir' | 'home' | 'spec'>): AgentWorkspace[] {
  const cfg = h.rawConfig;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
  const abs = (p: string) => expandHome(p, h.home);
  const envDir = str(h.spec.env.OPENCLAW_WORKSPACE_DIR);
  const root = str(getPath(cfg, ['agents', 'defaults', 'workspace'])) ?? str(getPath(cfg, ['agent', 'workspace']));
  const mainDefault = envDir ?? root ?? posix.join(h.stateDir, 'workspace');
  const out: AgentWorkspace[] = [];
  const list = getPath(cfg, ['agents', 'list']);
  const entries = getPath(cfg, ['agents', 'entries']);
  const roster: Array<{ id: string; workspace?: string; isDefault: boolean }> = [];
  if (Array.isArray(list)) {
    for (const a of list as Array<Record<string, unknown>>) {
      if (str(a?.id)) roster.push({ id: a.id as string, workspace: str(a.workspace), isDefault: a.default === true });
    }
  }
  if (entries && typeof entries === 'object') {
    for (const [id, a] of Object.entries(entries as Record<string, Record<string, unknown>>)) {
      roster.push({ id, workspace: str(a?.workspace), isDefault: a?.default === true });
    }
  }
  if (roster.length === 0) return [{ agent: 'main', workspace: abs(mainDefault), isDefault: true }];
  const defaultId = roster.find((a) => a.isDefault)?.id ?? roster[0]!.id;
  for (const a of roster) {
    const isDefault = a.id === defaultId;
    const ws = a.workspace ?? (roster.length === 1 || isDefault ? mainDefault : root ? posix.join(root, a.id) : posix.join(h.stateDir, `workspace-${a.id}`));
    out.push({ agent: a.id, workspace: abs(ws), isDefault });
  }
  return dedupe(out);
}

/** Agents sharing one workspace are one set of files: keep the first (the default sorts first). */
function dedupe(list: AgentWorkspace[]): AgentWorkspace[] {
  const seen = new Set<string>();
  return [...list]
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault))
    .filter((w) => (seen.has(w.workspace) ? false : (seen.add(w.workspace), true)));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
