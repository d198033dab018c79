/**
 * The incident report of one run, from what respond already recorded: the run's status, each
 * host's steps and summaries (already redacted: they went into workflow history), and the audit
 * log's events for the run (approvals with approver, time and hash; the timeline). Pure: the CLI
 * gathers the inputs. Holds fingerprints and summaries, never a value.
 */
import type { HostStatus, RunbookStatus, StepStatus } from '../../workflows/definitions.js';

export interface ReportAuditEvent {
  event: string;
  ts: string;
  actor: string;
  step?: string;
  host?: string;
  workflowId: string;
  args?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

export interface IncidentReport {
  id: string;
  runbook: string;
  incident: string;
  specSha256: string;
  phase: RunbookStatus['phase'];
  started?: string;
  ended?: string;
  error?: string;
  /** `signer`: the key fingerprint of a signed approval. */
  approvals: Array<{ step: string; approver: string; via: string; at: string; hash: string; hosts?: number; signer?: string }>;
  hosts: Array<{ host: string; state: string; error?: string; steps: Array<Pick<StepStatus, 'id' | 'kind' | 'state' | 'summary' | 'startedAt' | 'endedAt'>> }>;
  timeline: Array<{ at: string; event: string; step?: string; host?: string; actor: string }>;
  /** What respond could not do or decide, for a person to follow up. */
  leftForHuman: string[];
}

export function buildReport(id: string, status: RunbookStatus, hosts: HostStatus[], events: ReportAuditEvent[]): IncidentReport {
  const mine = events.filter((e) => e.workflowId === id || e.workflowId.startsWith(`${id}/`)).sort((a, b) => a.ts.localeCompare(b.ts));
  const requested = new Map(mine.filter((e) => e.event === 'approval.requested').map((e) => [`${e.step}\0${String(e.args?.hash)}`, e]));
  const approvals = mine
    .filter((e) => e.event === 'approval.granted')
    .map((e) => {
      const hash = String(e.args?.hash ?? '');
      const hostsInWave = requested.get(`${e.step}\0${hash}`)?.args?.hosts;
      const signer = typeof e.args?.signer === 'string' ? { signer: e.args.signer } : {};
      return { step: e.step ?? '', approver: e.actor, via: String(e.args?.via ?? ''), at: String(e.args?.at ?? e.ts), hash, ...(typeof hostsInWave === 'number' ? { hosts: hostsInWave } : {}), ...signer };
    });
  const hostRows = hosts.map((h) => ({
    host: h.host,
    state: h.state,
    ...(h.error ? { error: h.error } : {}),
    steps: h.steps.map(({ id: sid, kind, state, summary, startedAt, endedAt }) => ({ id: sid, kind, state, summary, startedAt, endedAt })),
  }));
  const left: string[] = [];
  for (const h of hostRows) {
    if (h.state === 'failed') left.push(`${h.host}: failed${h.error ? ` (${h.error})` : ''}; nothing after the failed step ran there`);
    for (const st of h.steps) {
      if (st.state === 'failed') left.push(`${h.host}: step ${st.id} failed: ${st.summary ?? ''}`);
      if (st.kind === 'sweep' && st.state === 'done' && st.summary && !/^0 finding/.test(st.summary)) left.push(`${h.host}: ${st.id} reported ${st.summary}: review each finding`);
      if (st.kind === 'quarantine-skills' && st.state === 'done' && st.summary && !st.summary.startsWith('every skill')) left.push(`${h.host}: review the quarantined skills before restoring any (respond skills restore)`);
    }
  }
  if (status.phase !== 'completed') left.push(`the run ended ${status.phase}${status.error ? `: ${status.error}` : ''}`);
  left.push('paired devices and remote clients must pair or connect again with the new gateway token');
  return {
    id,
    runbook: status.runbook,
    incident: status.incident,
    specSha256: status.specSha256,
    phase: status.phase,
    started: mine[0]?.ts,
    ended: mine.at(-1)?.ts,
    ...(status.error ? { error: status.error } : {}),
    approvals,
    hosts: hostRows,
    timeline: mine.filter((e) => !e.event.startsWith('host.planned')).map((e) => ({ at: e.ts, event: e.event, ...(e.step ? { step: e.step } : {}), ...(e.host ? { host: e.host } : {}), actor: e.actor })),
    leftForHuman: left,
  };
}

const cell = (s: unknown) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reportMarkdown(r: IncidentReport): string {
  const out: string[] = [];
  out.push(`# Incident ${r.incident}: ${r.runbook}`, '');
  out.push(`- run: \`${r.id}\``, `- outcome: **${r.phase}**${r.error ? ` (${cell(r.error)})` : ''}`, `- runbook sha256: \`${r.specSha256}\``, `- from ${r.started ?? '?'} to ${r.ended ?? '?'}`, '');
  out.push('## Approvals', '', '| step | approver | via | at | hash | hosts |', '|---|---|---|---|---|---|');
  for (const a of r.approvals) out.push(`| ${cell(a.step)} | ${cell(a.signer ? `${a.approver} (signed ${a.signer})` : a.approver)} | ${a.via} | ${a.at} | \`${a.hash.slice(0, 16)}\` | ${a.hosts ?? ''} |`);
  for (const h of r.hosts) {
    out.push('', `## Host ${h.host}: ${h.state}`, '', '| step | kind | state | result |', '|---|---|---|---|');
    for (const s of h.steps) out.push(`| ${cell(s.id)} | ${s.kind} | ${s.state} | ${cell(s.summary)} |`);
  }
  out.push('', '## Left for a human', '', ...r.leftForHuman.map((l) => `- ${cell(l)}`));
  out.push('', '## Timeline', '', '| at | event | step | host | by |', '|---|---|---|---|---|');
  for (const t of r.timeline) out.push(`| ${t.at} | ${t.event} | ${cell(t.step)} | ${cell(t.host)} | ${cell(t.actor)} |`);
  return `${out.join('\n')}\n`;
}
