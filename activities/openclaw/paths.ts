/**
 * Where a host's OpenClaw keeps its state, decided the way OpenClaw itself decides
 * (src/config/paths.ts, src/cli/profile.ts): explicit env wins, then a profile, then
 * ~/.openclaw, then a legacy dir that exists.
 */
import { posix } from 'node:path';

export const LEGACY_STATE_DIRNAMES = ['.clawdbot', '.moltbot', '.moldbot'] as const;
export const CONFIG_FILENAMES = ['openclaw.json', 'clawdbot.json', 'moltbot.json', 'moldbot.json'] as const;

export type StateDirSource = 'inventory' | 'env' | 'profile' | 'default' | 'legacy';

export interface PathInputs {
  home: string;
  inventory: { stateDir?: string; configPath?: string; profile?: string };
  env: { stateDir?: string; configPath?: string; profile?: string };
  /** Names of dot-dirs that exist in `home` (`.openclaw`, `.clawdbot`, ...). */
  existingHomeDirs: readonly string[];
}

export interface ResolvedPaths {
  stateDir: string;
  stateDirSource: StateDirSource;
  /** Set when the config path was given explicitly; otherwise the first existing candidate in the state dir wins. */
  configPath?: string;
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return posix.join(home, p.slice(2));
  return posix.resolve(home, p);
}

export function resolveStateDir(i: PathInputs): ResolvedPaths {
  const configPath = i.inventory.configPath ?? i.env.configPath;
  const withConfig = (r: Omit<ResolvedPaths, 'configPath'>): ResolvedPaths =>
    configPath ? { ...r, configPath: expandHome(configPath, i.home) } : r;
  if (i.inventory.stateDir) return withConfig({ stateDir: expandHome(i.inventory.stateDir, i.home), stateDirSource: 'inventory' });
  if (i.env.stateDir) return withConfig({ stateDir: expandHome(i.env.stateDir, i.home), stateDirSource: 'env' });
  const profile = i.inventory.profile ?? i.env.profile;
  if (profile && profile.toLowerCase() !== 'default') {
    return withConfig({ stateDir: posix.join(i.home, `.openclaw-${profile}`), stateDirSource: 'profile' });
  }
  if (i.existingHomeDirs.includes('.openclaw')) return withConfig({ stateDir: posix.join(i.home, '.openclaw'), stateDirSource: 'default' });
  const legacy = LEGACY_STATE_DIRNAMES.find((d) => i.existingHomeDirs.includes(d));
  if (legacy) return withConfig({ stateDir: posix.join(i.home, legacy), stateDirSource: 'legacy' });
  return withConfig({ stateDir: posix.join(i.home, '.openclaw'), stateDirSource: 'default' });
}
