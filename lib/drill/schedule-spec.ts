/**
 * When a rotation drill runs: a cron expression, `quarter` (03:00 UTC on the first day of
 * January, April, July and October: a response rehearsed every quarter), or a fixed interval.
 * Pure, so the CLI's checks are testable without a server.
 */
import { parseDuration } from '../duration.js';
import { UserError } from '../errors.js';

export const QUARTERLY_CRON = '0 3 1 1,4,7,10 *';

export type DrillScheduleSpec = { cronExpressions: string[] } | { intervals: Array<{ every: number }> };

export function drillScheduleSpec(o: { cron?: string; every?: string }): DrillScheduleSpec {
  if (o.cron && o.every) throw new UserError('--cron and --every: give one of them');
  if (o.cron) {
    const fields = o.cron.trim().split(/\s+/);
    if (fields.length !== 5 || fields.some((f) => !/^[\d*,/-]+$/.test(f))) {
      throw new UserError(`--cron ${o.cron}: expected five fields (minute hour day-of-month month day-of-week), digits and * , / - only`);
    }
    return { cronExpressions: [fields.join(' ')] };
  }
  const every = o.every ?? 'quarter';
  if (every === 'quarter') return { cronExpressions: [QUARTERLY_CRON] };
  let ms: number;
  try {
    ms = parseDuration(every);
  } catch {
    throw new UserError(`--every ${every}: expected quarter or a duration such as 720h`);
  }
  if (ms < 60_000) throw new UserError(`--every ${every}: at least 1m between drills`);
  return { intervals: [{ every: ms }] };
}

/** The drill's schedule id from its name (letters, digits, . _ -). */
export function drillScheduleId(name: string): string {
  if (!/^[\w.-]{1,48}$/.test(name)) throw new UserError(`drill name ${name}: use letters, digits, . _ - (at most 48)`);
  return `respond-drill-${name}`;
}
