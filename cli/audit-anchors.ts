/**
 * The anchors the log's writers kept in their own histories: every appendAudit result of each
 * workflow the log names and of its host children, all executions (continue-as-new included).
 */
import type { Client } from '@temporalio/client';
import { historyPayloadTexts } from '../lib/codec/history-payloads.js';
import type { AuditAnchor } from '../lib/audit-chain.js';

export interface HistoryAnchors {
  anchors: AuditAnchor[];
  /** Workflows whose every execution was read and has closed. */
  closed: Set<string>;
  /** Workflows the log names that have no execution on this server (retention, another cluster). */
  unknown: string[];
  executions: number;
}

export async function historyAnchors(c: Client, workflowIds: Set<string>): Promise<HistoryAnchors> {
  const families = new Map<string, { runs: Array<{ id: string; runId: string }>; open: boolean }>();
  for await (const w of c.workflow.list()) {
    const owner = ownerOf(w.workflowId, workflowIds);
    if (!owner) continue;
    const f = families.get(owner) ?? { runs: [], open: false };
    f.runs.push({ id: w.workflowId, runId: w.runId });
    if (w.status.name === 'RUNNING') f.open = true;
    families.set(owner, f);
  }
  const anchors: AuditAnchor[] = [];
  let executions = 0;
  for (const f of families.values()) {
    for (const run of f.runs) {
      const history = await c.workflow.getHandle(run.id, run.runId).fetchHistory();
      anchors.push(...anchorsIn(await historyPayloadTexts(c, history)));
      executions++;
    }
  }
  return {
    anchors,
    closed: new Set([...families].filter(([, f]) => !f.open).map(([id]) => id)),
    unknown: [...workflowIds].filter((id) => !families.has(id)),
    executions,
  };
}

/** A host child's id is `<run id>/<host>[#section]`: its events name the parent run. */
function ownerOf(id: string, ids: Set<string>): string | undefined {
  if (ids.has(id)) return id;
  for (let cut = id.lastIndexOf('/'); cut > 0; cut = id.lastIndexOf('/', cut - 1)) {
    if (ids.has(id.slice(0, cut))) return id.slice(0, cut);
  }
  return undefined;
}

function anchorsIn(payloads: string[]): AuditAnchor[] {
  const out: AuditAnchor[] = [];
  for (const text of payloads) {
    if (!text.includes('"auditAnchor')) continue;
    try {
      const value = JSON.parse(text) as { auditAnchor?: AuditAnchor; auditAnchors?: AuditAnchor[] };
      if (value.auditAnchor) out.push(value.auditAnchor);
      if (Array.isArray(value.auditAnchors)) out.push(...value.auditAnchors);
    } catch {
      // Not a JSON payload of ours.
    }
  }
  return out;
}
