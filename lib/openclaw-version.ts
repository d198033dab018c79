/** OpenClaw versions are calendar versions, `YYYY.M.D` with an optional `-N` re-release. */
import { UserError } from './errors.js';

/** The first release with the fixes for CVE-2026-25253 and CVE-2026-24763: the one source of this policy. */
export const MINIMUM_SAFE_VERSION = '2026.1.29';

const VERSION = /^(\d{4})\.(\d{1,2})\.(\d{1,2})(?:-(\d+))?$/;

export function isOpenclawVersion(v: string): boolean {
  return VERSION.test(v);
}

function parts(v: string): number[] {
  const m = VERSION.exec(v);
  if (!m) throw new UserError(`"${v}" is not an OpenClaw version (expected YYYY.M.D, e.g. 2026.1.29)`);
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 0 : Number(m[4])];
}

export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  return 0;
}
