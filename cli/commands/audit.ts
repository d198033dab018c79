/** `respond audit verify`: the audit log's hash chain, checked against the anchors in workflow histories. */
import type { Command } from 'commander';
import { AuditLog } from '../../activities/audit/audit-log.js';
import { verifyChain } from '../../lib/audit-chain.js';
import { historyAnchors } from '../audit-anchors.js';
import { client, config } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function register(program: Command): void {
  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check the hash chain and every line against what its workflow recorded; name the first bad line')
    .option('--log <file>', 'audit log (default: $RESPOND_AUDIT_LOG or the state dir\'s audit.jsonl)')
    .option('--json', 'print the whole report as JSON')
    .action(async (opts: { log?: string; json?: boolean }) => {
      const cfg = config();
      const path = opts.log ?? cfg.auditLogPath;
      const lines = await new AuditLog(path).lines();
      const workflowIds = new Set<string>();
      for (const line of lines) {
        try {
          const id = (JSON.parse(line) as { workflowId?: unknown }).workflowId;
          if (typeof id === 'string') workflowIds.add(id);
        } catch {
          // verifyChain reports it.
        }
      }
      const found = await historyAnchors(await client(cfg), workflowIds);
      const report = verifyChain(lines, found.anchors, found.closed);
      const first = report.problems[0];
      if (opts.json) {
        console.log(JSON.stringify({ log: path, ...report, executions: found.executions, unknownWorkflows: found.unknown }));
      } else if (first) {
        console.log(`${path}:${first.line}: ${first.problem}`);
        if (report.problems.length > 1) console.log(`(${report.problems.length - 1} more problem(s) after it; --json lists them)`);
      } else {
        const notAnchored = report.lines - report.unchained - report.anchored;
        console.log(
          `${path}: ${report.lines} line(s), chain intact, ${report.anchored} anchored in ${found.executions} workflow histor${found.executions === 1 ? 'y' : 'ies'}` +
            (notAnchored ? `; ${notAnchored} not anchored (no history for ${found.unknown.join(', ') || 'them'})` : '') +
            (report.unchained ? `; ${report.unchained} line(s) from before the chain` : ''),
        );
      }
      process.exitCode = first ? EXIT.failed : EXIT.ok;
    });
}
