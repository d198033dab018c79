/** One host opened for memory work: its OpenClaw paths and every agent workspace on it. */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { createTransport } from '../hosts/transports/index.js';
import { openOpenclawHost, type OpenclawHost } from '../openclaw/host.js';
import { agentWorkspaces, type AgentWorkspace } from '../openclaw/workspaces.js';

export interface MemoryHost {
  h: OpenclawHost;
  workspaces: AgentWorkspace[];
  source: 'openclaw-cli' | 'config';
}

export async function openMemoryHost(spec: HostSpec): Promise<MemoryHost> {
  const h = await openOpenclawHost(spec, createTransport(spec));
  try {
    return await memoryHostOf(h);
  } catch (e) {
    await h.t.close();
    throw e;
  }
}

/** Over a host already open; the caller closes it. */
export async function memoryHostOf(h: OpenclawHost): Promise<MemoryHost> {
  const list = await agentWorkspaces(h);
  return { h, workspaces: list.workspaces, source: list.source };
}
