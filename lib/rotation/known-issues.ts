/**
 * Releases before which a rotation is not fully effective, as data. Each entry was checked
 * against the advisory records (GHSA/NVD) and OpenClaw's merged fixes; `remedy` is what respond
 * does on an older host so the rotation still takes: restart the gateway after it. Pure.
 */
import { compareVersions } from '../openclaw-version.js';

export interface KnownRotationIssue {
  id: string;
  /** Which rotations it weakens: the gateway's shared token/password, or paired device tokens. */
  affects: 'gateway-auth' | 'device-token';
  fixedIn: string;
  effect: string;
  remedy: 'restart';
}

export const KNOWN_ROTATION_ISSUES: readonly KnownRotationIssue[] = [
  {
    id: 'CVE-2026-34503',
    affects: 'device-token',
    fixedIn: '2026.3.28',
    effect: 'removing a device or revoking its token left its live WebSocket sessions connected',
    remedy: 'restart',
  },
  {
    id: 'CVE-2026-41356',
    affects: 'device-token',
    fixedIn: '2026.3.31',
    effect: 'rotating a device token left the live sessions that used the old one connected (fix: openclaw#57646)',
    remedy: 'restart',
  },
  {
    id: 'GHSA-68x5-xx89-w9mm',
    affects: 'gateway-auth',
    fixedIn: '2026.4.8',
    effect: 'new connections after a config reload could still be checked against the pre-reload auth',
    remedy: 'restart',
  },
  {
    id: 'CVE-2026-43585',
    affects: 'gateway-auth',
    fixedIn: '2026.4.15',
    effect: 'the HTTP endpoints (/tools/invoke, /v1/*) kept accepting a rotated-out bearer token until restart; live shared-token sessions were not closed before openclaw#62350',
    remedy: 'restart',
  },
];

/** Issues that apply to a rotation of `affects` on a host running `version` (unknown version: all of them). */
export function issuesFor(version: string | null | undefined, affects: KnownRotationIssue['affects']): KnownRotationIssue[] {
  return KNOWN_ROTATION_ISSUES.filter((i) => i.affects === affects && (!version || compareVersions(version, i.fixedIn) < 0));
}
