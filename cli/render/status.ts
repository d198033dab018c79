/** Terminal rendering of a run's status. */
import type { RunbookStatus } from '../../workflows/definitions.js';
import { STEP_ICON } from '../../workflows/progress.js';

export function renderStatus(id: string, s: RunbookStatus, closedAs?: string): string {
  const idWidth = Math.max(...s.steps.map((st) => st.id.length), 4);
  const kindWidth = Math.max(...s.steps.map((st) => st.kind.length), 4);
  const lines = [
    `${id}  runbook ${s.runbook}  incident ${s.incident}  ${s.phase}${closedAs ? ` (${closedAs})` : ''}${s.dryRun ? '  [dry run]' : ''}`,
    ...s.steps.map(
      (st, i) =>
        `  ${STEP_ICON[st.state]} ${String(i + 1).padStart(2)} ${st.id.padEnd(idWidth)}  ${st.kind.padEnd(kindWidth)}  ${st.state.padEnd(16)} ${st.summary ?? ''}`.trimEnd(),
    ),
  ];
  if (s.pending) {
    const p = s.pending;
    lines.push(
      `waiting for approval of ${p.step}: ${p.approvals.length}/${p.minApprovals} by ${p.approvers.join(', ') || 'anyone'}, until ${p.deadline}${p.escalated ? ' (escalated)' : ''}`,
      `  hash ${p.hash}`,
      `  respond approve ${id} --step ${p.step} --hash ${p.hash}`,
    );
  }
  for (const ignored of s.ignoredSignals) lines.push(`ignored signal at ${ignored.at}: ${ignored.reason}`);
  if (s.error) lines.push(`error: ${s.error}`);
  return lines.join('\n');
}
