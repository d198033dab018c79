/**
 * The incident report of one run, from what respond already recorded: the run's status, each
 * host's steps and summaries (already redacted: they went into workflow history), and the audit
 * log's events for the run (approvals with approver, time and hash; the timeline). Pure: the CLI
 * gathers the inputs. Holds fingerprints and summaries, never a value.
 */
import type { HostResults, HostStatus, RunbookStatus, StepStatus } from '../../workflows/definitions.js';
import { hostDetails, type HostDetails } from './host-details.js';

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
  hosts: Array<{ host: string; state: string; error?: string; steps: Array<Pick<StepStatus, 'id' | 'kind' | 'state' | 'summary' | 'startedAt' | 'endedAt'>>; details?: HostDetails }>;
  timeline: Array<{ at: string; event: string; step?: string; host?: string; actor: string }>;
  /** What respond could not do or decide, for a person to follow up. */
  leftForHuman: string[];
}

export function buildReport(id: string, status: RunbookStatus, hosts: HostStatus[], events: ReportAuditEvent[], results: Record<string, HostResults> = {}): IncidentReport {
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
    ...(results[h.host] ? { details: hostDetails(results[h.host]!) } : {}),
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
  for (const h of hostRows) {
    for (const x of h.details?.verify?.inDatabase ?? []) {
      left.push(`${h.host}: ${x.what} ${x.fingerprint} (revoked) is still inside ${x.paths.join(', ')}: remove the device (openclaw devices remove DEVICE-ID) and let its client pair again, then, with the gateway stopped, compact the database (sqlite3 FILE 'PRAGMA secure_delete=ON; VACUUM;')`);
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
    if (h.details) out.push(...detailsMarkdown(h.details));
  }
  out.push('', '## Left for a human', '', ...r.leftForHuman.map((l) => `- ${cell(l)}`));
  out.push('', '## Timeline', '', '| at | event | step | host | by |', '|---|---|---|---|---|');
  for (const t of r.timeline) out.push(`| ${t.at} | ${t.event} | ${cell(t.step)} | ${cell(t.host)} | ${cell(t.actor)} |`);
  return `${out.join('\n')}\n`;
}

function detailsMarkdown(d: HostDetails): string[] {
  const out: string[] = [];
  for (const f of d.findings) {
    out.push('', `### Findings of ${f.step}: ${f.total}`, '', ...Object.entries(f.byRule).map(([rule, n]) => `- ${cell(rule)}: ${n}`));
    if (f.locations.length) out.push('', '| rule | location | fingerprint |', '|---|---|---|', ...f.locations.map((l) => `| ${cell(l.rule)} | ${cell(l.path)}${l.line ? `:${l.line}` : ''} | ${l.fingerprint ?? ''} |`));
  }
  if (d.signals) {
    out.push('', '### Signals of the incident window', '', `- ${d.signals.ledger}`);
    out.push(...d.signals.counts.map((x) => `- ${x.id}: ${x.count}${x.first ? ` (${x.first} .. ${x.last ?? x.first})` : ''}`));
  }
  if (d.credentials.length) {
    out.push('', '### Credentials rotated', '', '| credential | old | new | state | overlap | times |', '|---|---|---|---|---|---|');
    for (const c of d.credentials) out.push(`| ${cell(c.credential)} | ${c.old ?? ''} | ${c.new ?? ''} | ${c.state ?? ''} | ${c.overlapMs !== undefined ? `${Math.round(c.overlapMs / 1000)} s` : ''} | ${cell(Object.entries(c.times).map(([k, v]) => `${k} ${v}`).join(', '))} |`);
  }
  if (d.stale) out.push('', '### Stale copies', '', `- ${d.stale.values} old value(s) kept in config backups or migrated stores (${cell(d.stale.fields.join(', '))}); ${d.stale.filesScrubbed} file(s) quarantined and redacted`);
  if (d.memory) {
    out.push('', `### Memory files restored${d.memory.baseline ? ` to snapshot ${d.memory.baseline}` : ''}${d.memory.commit ? ` (recorded as ${d.memory.commit})` : ''}`, '');
    out.push(...(d.memory.restored.length ? d.memory.restored.map((m) => `- ${cell(m.target)} (${m.kind}): the tampering added ${m.added} and removed ${m.removed} line(s), undone; ${m.tamper} suspicious line(s) flagged`) : ['- none']));
  }
  if (d.skills) out.push('', '### Skills quarantined', '', ...(d.skills.quarantined.length ? d.skills.quarantined.map((n) => `- ${cell(n)}${d.skills!.dir ? ` (in ${cell(d.skills!.dir)})` : ''}`) : ['- none']));
  if (d.verify) {
    out.push('', '### Verification', '', `- exact hunt: ${d.verify.hunted} old value(s), ${d.verify.stillHeld} still found in files`);
    out.push(...d.verify.inDatabase.map((x) => `  - ${cell(x.what)} ${x.fingerprint} only inside ${cell(x.paths.join(', '))}`));
    if (d.verify.securityAudit) out.push(`- openclaw security audit: ${Object.entries(d.verify.securityAudit).map(([k, v]) => `${v} ${k}`).join(', ')}`);
    out.push(...d.verify.critical.map((c) => `  - critical ${cell(c)}`));
    if (d.verify.secretsAudit) out.push(`- openclaw secrets audit --check: ${d.verify.secretsAudit}`);
  }
  return out;
}
