/** The Markdown shown as the run's current details in the web UI. Pure; never holds a secret. */
import type { RunbookStatus, StepState } from './definitions.js';

/** One glyph per step state, for the UI's details and the terminal alike. */
export const STEP_ICON: Record<StepState, string> = {
  pending: '·',
  running: '▶',
  'waiting-approval': '…',
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
  if (s.error) lines.push('', `**Error:** ${escape(s.error)}`);
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
