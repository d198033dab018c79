/** Terminal rendering of a run's status. */
import type { HostStatus, RunbookStatus } from '../../workflows/definitions.js';
import { fleetCounts, STEP_ICON } from '../../workflows/progress.js';

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
  for (const st of s.steps) {
    if (st.approvedBy?.length) lines.push(`  ${st.id} approved by ${st.approvedBy.map(signedBy).join(', ')}`);
  }
  if (s.fleet) {
    const f = s.fleet;
    lines.push(
      `fleet (${f.steps.join(', ')}): ${f.total} host(s), wave ${f.wave}/${f.waves} of ${f.waveHosts}, maxConcurrency ${f.maxConcurrency}, maxErrors ${f.maxErrors}${f.tripped ? '  ERROR BUDGET EXHAUSTED' : ''}`,
      `  ${fleetCounts(f)}`,
      ...f.failed.map((x) => `  ✖ ${x.host}: ${x.reason}`),
    );
    const working = f.active.filter((a) => a.state !== 'queued');
    if (working.length) lines.push(`  now: ${working.map((a) => `${a.host} ${a.state}${a.step ? ` at ${a.step}` : ''}`).join(', ')}`);
  }
  if (s.pending) {
    const p = s.pending;
    if (p.merkleRoot) {
      const args = p.action.args as { hostCount?: number; distinctActions?: number; wave?: string };
      lines.push(`wave ${args.wave}: ${args.hostCount} host(s), ${args.distinctActions} distinct action(s), merkle root ${p.merkleRoot}`);
    }
    lines.push(
      `waiting for approval of ${p.step}: ${p.approvals.length}/${p.minApprovals} by ${p.approvers.join(', ') || 'anyone'}, until ${p.deadline}${p.escalated ? ' (escalated)' : ''}`,
      `  hash ${p.hash}`,
      ...p.approvals.map((a) => `  approved by ${signedBy(a)}`),
      `  respond approve ${id} --step ${p.step} --hash ${p.hash}${p.signed ? ' --as NAME --sign ~/.ssh/id_ed25519   (signed approvals only)' : ''}`,
    );
  }
  for (const ignored of s.ignoredSignals) lines.push(`ignored signal at ${ignored.at}: ${ignored.reason}`);
  if (s.error) lines.push(`error: ${s.error}`);
  return lines.join('\n');
}

export function renderHostStatus(id: string, h: HostStatus, proof?: { verified: boolean; root: string; leaf: string; waveHash: string }): string {
  const idWidth = Math.max(...h.steps.map((st) => st.id.length), 4);
  const lines = [
    `${id}  host ${h.host}  wave ${h.wave}  ${h.state}  (run ${h.parentId})`,
    ...h.steps.map(
      (st, i) => `  ${STEP_ICON[st.state]} ${String(i + 1).padStart(2)} ${st.id.padEnd(idWidth)}  ${st.kind.padEnd(12)}  ${st.state.padEnd(16)} ${st.summary ?? ''}`.trimEnd(),
    ),
  ];
  for (const st of h.steps) if (st.hash) lines.push(`  ${st.id} action hash ${st.hash}`);
  if (h.waiting) lines.push(`  ✋ waiting for a person since ${h.waiting.since} (step ${h.waiting.step}): ${h.waiting.instruction}`, `     when done: respond confirm ${h.parentId} --host ${h.host}`);
  if (proof) lines.push(`  in the waiting wave approval ${proof.waveHash}: leaf ${proof.leaf}, root ${proof.root} (${proof.verified ? 'inclusion verified' : 'NOT INCLUDED'})`);
  if (h.error) lines.push(`  error: ${h.error}`);
  return lines.join('\n');
}

function signedBy(a: { approver: string; signer?: string }): string {
  return a.signer ? `${a.approver} (signed ${a.signer})` : a.approver;
}
