/** The Markdown shown as the run's current details in the web UI. Pure; never holds a secret. */
import type { FleetSummary, HostStatus, RunbookStatus, StepState } from './definitions.js';

/** One glyph per step state, for the UI's details and the terminal alike. */
export const STEP_ICON: Record<StepState, string> = {
  pending: '·',
  running: '▶',
  'waiting-approval': '…',
  'waiting-person': '✋',
  done: '✔',
  failed: '✖',
  skipped: '–',
  'rolled-back': '↺',
};

export function progressMarkdown(id: string, s: RunbookStatus): string {
  const lines = [
    `**${s.runbook}** · incident \`${s.incident}\` · ${s.phase}${s.dryRun ? ' (dry run)' : ''}`,
    '',
    '| | step | kind | state | note |',
    '|---|---|---|---|---|',
    ...s.steps.map((st, i) => `| ${STEP_ICON[st.state]} ${i + 1} | ${st.id} | ${st.kind} | ${st.state} | ${escape(st.summary ?? '')} |`),
  ];
  if (s.pending) {
    const p = s.pending;
    const who = p.approvers.length ? p.approvers.join(', ') : 'anyone';
    lines.push(
      '',
      `**Waiting for approval of \`${p.step}\`** (${p.approvals.length}/${p.minApprovals}, by ${who}, until ${p.deadline})`,
      '',
      `hash \`${p.hash}\``,
      '',
      `Approve with \`respond approve ${id} --step ${p.step} --hash ${p.hash}\`, or send the signal \`approve\` with`,
      `\`{"step":"${p.step}","hash":"${p.hash}","approver":"<you>"}\`.`,
    );
  }
  if (s.fleet) lines.push('', ...fleetMarkdown(s.fleet));
  if (s.error) lines.push('', `**Error:** ${escape(s.error)}`);
  return lines.join('\n');
}

/** One line of counts by state, the same words in the UI and the terminal. */
export function fleetCounts(f: FleetSummary): string {
  const order = ['done', 'failed', 'running', 'parked', 'approved', 'queued', 'skipped'] as const;
  return order.filter((k) => f.counts[k] > 0).map((k) => `${f.counts[k]} ${k}`).join(', ') || 'no hosts';
}

function fleetMarkdown(f: FleetSummary): string[] {
  const lines = [
    `**Fleet** (${f.steps.join(', ')}): ${f.total} host(s), wave ${f.wave}/${f.waves} (${f.waveHosts} host(s)), ` +
      `maxConcurrency ${f.maxConcurrency}, maxErrors ${f.maxErrors}${f.tripped ? ', **error budget exhausted**' : ''}`,
    '',
    fleetCounts(f),
  ];
  if (f.failed.length) {
    lines.push('', '| failed host | reason |', '|---|---|', ...f.failed.slice(0, 20).map((x) => `| ${x.host} | ${escape(x.reason)} |`));
  }
  return lines;
}

export function hostProgressMarkdown(s: HostStatus): string {
  const lines = [
    `**${s.host}** · wave ${s.wave} · ${s.state} · run \`${s.parentId}\``,
    '',
    '| | step | kind | state | note |',
    '|---|---|---|---|---|',
    ...s.steps.map((st, i) => `| ${STEP_ICON[st.state]} ${i + 1} | ${st.id} | ${st.kind} | ${st.state} | ${escape(st.summary ?? '')} |`),
  ];
  if (s.state === 'parked') {
    const st = s.steps.find((x) => x.state === 'waiting-approval');
    lines.push('', `Waiting for the wave's approval of \`${st?.id}\` (host action hash \`${st?.hash}\`): approve the run \`${s.parentId}\`, not this workflow.`);
  }
  if (s.waiting) {
    lines.push(
      '',
      `**Waiting for a person** (since ${s.waiting.since}) to ${s.waiting.action} the gateway: ${escape(s.waiting.instruction)}.`,
      '',
      `When done: \`respond confirm ${s.parentId} --host ${s.host}\`, or send the \`confirm\` signal to this workflow with \`{"step":"${s.waiting.step}","action":"${s.waiting.action}","by":"<your name>"}\`.`,
    );
  }
  if (s.error) lines.push('', `**Error:** ${escape(s.error)}`);
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
