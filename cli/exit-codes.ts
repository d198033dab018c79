/** Exit codes every command shares; documented in `respond --help` and the README. */
export const EXIT = {
  ok: 0,
  /** The runbook failed, was rejected or aborted; or a sweep found something. */
  failed: 1,
  /** Bad input: flags, runbook YAML, inventory, parameters. */
  usage: 2,
  notFound: 3,
  /** An approval or rejection was refused (wrong hash, step or approver). */
  refused: 4,
  /** Temporal server unreachable, binary missing, or another infrastructure problem. */
  infra: 5,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  runbook failed, was rejected or aborted (start --wait, status of a closed run)
  2  bad input: flags, runbook or inventory file, --set values
  3  run or runbook not found
  4  approval or rejection refused (wrong hash, step or approver)
  5  Temporal unreachable or not installed`;
