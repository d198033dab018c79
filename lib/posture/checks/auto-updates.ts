/**
 * `auto-updates`: security updates install themselves. Debian and Ubuntu: unattended-upgrades
 * installed and turned on by apt's periodic settings; RPM distributions: a dnf-automatic timer
 * that applies updates.
 */
import { NEED } from './shell.js';
import { result, type CheckResult, type PostureCheck, type PostureInput, type ProbeSections } from '../types.js';

const ID = 'auto-updates';
/** A unit's enablement, or nothing without systemd (a container, sysvinit: cron runs apt then). */
const TIMERS = (units: string) => `[ -d /run/systemd/system ] || { echo 'no systemd'; exit 0; }
for u in ${units}; do printf 'timer %s %s\\n' "$u" "$(systemctl is-enabled "$u" 2>/dev/null)"; done
`;
const PERIODIC_KEYS = ['Update-Package-Lists', 'Unattended-Upgrade'] as const;
const AUTO_UPGRADES_FILE = '/etc/apt/apt.conf.d/20auto-upgrades';
const TIMER_OFF = new Set(['disabled', 'masked', 'masked-runtime']);

export const autoUpdatesCheck: PostureCheck = {
  id: ID,
  reads: "dpkg-query's status of unattended-upgrades, apt-config's APT::Periodic settings, the apt-daily timers; on RPM hosts dnf-automatic and its timers",
  probes: {
    'auto-updates.dpkg': `${NEED}need dpkg-query; dpkg-query -W -f='\${Status}\\n' unattended-upgrades`,
    // Which file sets each value, in the order apt reads them (the last one wins), so a later
    // file turning a setting off can be named: apt-config's own paths, as APT_CONFIG may move them.
    'auto-updates.apt': `${NEED}need apt-config; out=$(apt-config dump) || { printf '%s\\n' "$out"; exit 1; }
printf '%s\\n' "$out" | grep -i '^APT::Periodic'
eval "$(apt-config shell PARTS Dir::Etc::parts/d MAIN Dir::Etc::main/f)"
for f in "\${APT_CONFIG:-}" "$PARTS"* "$MAIN"; do [ -f "$f" ] && grep -Hi 'APT::Periodic' "$f" | sed 's/^/file /'; done
true`,
    'auto-updates.apt-timers': TIMERS('apt-daily.timer apt-daily-upgrade.timer'),
    'auto-updates.rpm': `${NEED}need rpm; rpm -q dnf-automatic dnf5-plugin-automatic
grep -hE '^[[:space:]]*apply_updates' /etc/dnf/automatic.conf /etc/dnf/dnf5-plugins/automatic.conf 2>/dev/null
${TIMERS('dnf-automatic-install.timer dnf-automatic.timer dnf5-automatic.timer')}true`,
  },
  evaluate,
};

function evaluate({ probe }: PostureInput): CheckResult {
  const dpkg = probe['auto-updates.dpkg'];
  if (dpkg && dpkg.code !== 127) return debian(probe);
  const rpm = probe['auto-updates.rpm'];
  if (rpm && rpm.code !== 127) return redhat(probe);
  return result(ID, 'unknown', 'neither dpkg nor rpm on this host: respond cannot tell how it updates', {
    dpkg: dpkg?.out.trim() ?? 'probe did not report',
    rpm: rpm?.out.trim() ?? 'probe did not report',
  });
}

/** `APT::Periodic::Unattended-Upgrade "1";` lines into key → value (keys lower-cased). */
export function periodicSettings(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const kv = /^APT::Periodic::(\S+)\s+"([^"]*)";/i.exec(line.trim());
    if (kv) m.set(kv[1]!.toLowerCase(), kv[2]!);
  }
  return m;
}

/** apt's daily job skips a setting that is unset or zero (`0`, `0d`); `always` and `1d` run. */
function on(v: string | undefined): boolean {
  return v !== undefined && v !== '' && !/^0+[smhd]?$/i.test(v);
}

function timers(out: string | undefined): Record<string, string> | null {
  if (!out || /^no systemd/m.test(out)) return null;
  return Object.fromEntries([...out.matchAll(/^timer (\S+) ?(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim() || 'not-found']));
}

function debian(probe: ProbeSections): CheckResult {
  const status = probe['auto-updates.dpkg']!.out.trim();
  const installed = /^install ok installed$/m.test(status);
  const apt = probe['auto-updates.apt'];
  const evidence: Record<string, unknown> = { packaging: 'dpkg', unattendedUpgrades: installed ? 'installed' : status.split('\n').pop() };
  if (!apt || apt.code !== 0) {
    return result(ID, 'unknown', `apt-config cannot be read: ${apt?.out.trim().split('\n').pop() || 'probe did not report'}`, evidence);
  }
  const settings = periodicSettings(apt.out);
  const enabledAll = settings.get('enable') === undefined || on(settings.get('enable'));
  const values = Object.fromEntries(PERIODIC_KEYS.map((k) => [`APT::Periodic::${k}`, settings.get(k.toLowerCase()) ?? null]));
  const off = PERIODIC_KEYS.filter((k) => !on(settings.get(k.toLowerCase())));
  const t = timers(probe['auto-updates.apt-timers']?.out);
  const offTimers = Object.entries(t ?? {}).filter(([, s]) => TIMER_OFF.has(s)).map(([u, s]) => `${u} ${s}`);
  const setBy = [...apt.out.matchAll(/^file (.+?):(.*)$/gm)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
  Object.assign(evidence, { periodic: values, ...(settings.has('enable') ? { 'APT::Periodic::Enable': settings.get('enable') } : {}), setBy, timers: t ?? 'no systemd' });

  const problems = [
    ...(installed ? [] : ['unattended-upgrades is not installed']),
    ...(enabledAll ? [] : ['APT::Periodic::Enable is "0"']),
    ...off.map((k) => `APT::Periodic::${k} is ${values[`APT::Periodic::${k}`] === null ? 'unset' : `"${values[`APT::Periodic::${k}`]}"`}`),
    ...offTimers,
  ];
  if (!problems.length) return result(ID, 'pass', 'unattended-upgrades installed; apt refreshes lists and upgrades daily', evidence);
  const commands = [
    ...(installed ? [] : ['apt-get update && apt-get install -y unattended-upgrades']),
    ...(off.length || !enabledAll
      ? [`printf '%s\\n' 'APT::Periodic::Update-Package-Lists "1";' 'APT::Periodic::Unattended-Upgrade "1";' > ${AUTO_UPGRADES_FILE}`]
      : []),
    ...(offTimers.length ? ['systemctl unmask apt-daily.timer apt-daily-upgrade.timer && systemctl enable --now apt-daily.timer apt-daily-upgrade.timer'] : []),
  ];
  return result(ID, 'fail', problems.join('; '), evidence, {
    text: `Install unattended-upgrades and turn on its daily run: ${AUTO_UPGRADES_FILE} holds what \`dpkg-reconfigure -plow unattended-upgrades\` writes. A file read later (see setBy) that sets a value to "0" wins over it.`,
    commands,
  });
}

function redhat(probe: ProbeSections): CheckResult {
  const out = probe['auto-updates.rpm']!.out;
  const pkgs = out.split('\n').filter((l) => /^(dnf-automatic|dnf5-plugin-automatic)-\d/.test(l.trim()));
  const apply = /^\s*apply_updates\s*=\s*(yes|true|1)\s*$/im.test(out);
  const t = timers(out);
  const enabled = Object.entries(t ?? {}).filter(([, s]) => s === 'enabled' || s === 'enabled-runtime').map(([u]) => u);
  const evidence = { packaging: 'rpm', packages: pkgs, applyUpdates: apply, timers: t ?? 'no systemd' };
  const fix = {
    text: 'Install dnf-automatic and enable the timer that downloads and applies updates.',
    commands: ['dnf install -y dnf-automatic', 'systemctl enable --now dnf-automatic-install.timer'],
  };
  if (!pkgs.length) return result(ID, 'fail', 'dnf-automatic is not installed', evidence, fix);
  if (enabled.includes('dnf-automatic-install.timer') || (enabled.length && apply)) {
    return result(ID, 'pass', `${enabled.join(', ')} enabled and applies updates`, evidence);
  }
  if (enabled.length) return result(ID, 'warn', `${enabled.join(', ')} enabled but apply_updates is off: updates are only downloaded`, evidence, fix);
  return result(ID, 'fail', t ? 'no dnf-automatic timer is enabled' : 'no systemd: dnf-automatic timers cannot run', evidence, fix);
}
