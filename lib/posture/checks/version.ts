/** `version`: the installed OpenClaw is at or above the minimum safe release. */
import { compareVersions, isOpenclawVersion } from '../../openclaw-version.js';
import { result, type PostureCheck } from '../types.js';

export const versionCheck: PostureCheck = {
  id: 'version',
  reads: 'the installed openclaw package.json version (from the facts respond already gathers)',
  probes: {},
  evaluate({ gateway, settings }) {
    const v = gateway.version;
    const evidence = { installed: v, minimum: settings.minimumVersion };
    if (!v) return result('version', 'unknown', 'openclaw is not installed where respond looked', evidence);
    if (!isOpenclawVersion(v)) return result('version', 'unknown', `installed version "${v}" is not a calendar version`, evidence);
    if (compareVersions(v, settings.minimumVersion) >= 0) return result('version', 'pass', `${v} >= ${settings.minimumVersion}`, evidence);
    return result('version', 'fail', `${v} is older than the minimum safe ${settings.minimumVersion}`, evidence, {
      runbook: 'upgrade',
      text: `respond start upgrade --inventory F --hosts ${'<host>'} --set version=${settings.minimumVersion} (or newer)`,
    });
  },
};
