import JSON5 from 'json5';

/**
 * Where secrets sit on an OpenClaw host, as one POSIX shell script that the host itself expands
 * (its $HOME, its env, its globs) and that prints the paths that exist, NUL-separated. One round
 * trip over SSH, and the same script locally.
 */

/** Globs relative to the host's $HOME. */
const HOME_GLOBS = [
  // State dirs incl. profiles (~/.openclaw-<profile>) and the legacy product names.
  '.openclaw',
  '.openclaw-*',
  '.clawdbot',
  '.clawdbot-*',
  '.moltbot',
  '.moltbot-*',
  // Shell and REPL histories: where `export OPENCLAW_GATEWAY_TOKEN=...` ends up.
  '.bash_history',
  '.zsh_history',
  '.zhistory',
  '.history',
  '.sh_history',
  '.local/share/fish/fish_history',
  '.node_repl_history',
  '.python_history',
  // Env files near the install and user-level service units that carry tokens.
  '.env',
  '.env.*',
  'openclaw/.env',
  'openclaw/.env.*',
  '.config/openclaw',
  '.config/systemd/user/openclaw*',
  '.config/systemd/user/clawdbot*',
  '.npmrc',
];

/** Absolute globs: the hard-coded log dir (/tmp/openclaw) and per-uid temp dirs. */
const ABSOLUTE_GLOBS = ['/tmp/openclaw', '/tmp/openclaw-*', '/tmp/clawdbot*', '/etc/systemd/system/openclaw*'];

export function defaultScopeScript(): string {
  const globs = [
    ...HOME_GLOBS.map((g) => `"$HOME"/${g}`),
    ...ABSOLUTE_GLOBS,
    // Env overrides point at state, config, workspace and logs outside the defaults.
    '"${OPENCLAW_STATE_DIR:-}"',
    '"${OPENCLAW_HOME:-}"',
    '"${OPENCLAW_CONFIG_PATH:-}"',
    '"${CLAWDBOT_STATE_DIR:-}"',
    '"${TMPDIR:-/tmp}"/openclaw',
    '"${TMPDIR:-/tmp}"/openclaw-*',
  ];
  return [
    'set +e',
    `for p in ${globs.join(' ')}; do`,
    '  [ -n "$p" ] && [ -e "$p" ] && printf "%s\\0" "$p"',
    'done',
    // The workspace and log file can be moved by config; a moved workspace is named in openclaw.json.
    'exit 0',
  ].join('\n');
}

/** Parses the script's output, dropping duplicates (a glob and an env var naming the same dir). */
export function parseScopeOutput(stdout: string): string[] {
  return [...new Set(stdout.split('\0').filter((p) => p.length > 0))];
}

/** Workspace and log paths that openclaw.json moves out of the defaults (`agents.*.workspace`, `logging.file`). */
export function configuredPaths(configText: string): string[] {
  let cfg: unknown;
  try {
    cfg = JSON5.parse(configText);
  } catch {
    return [];
  }
  const c = cfg as {
    agents?: {
      defaults?: { workspace?: unknown };
      list?: Array<{ workspace?: unknown }>;
      entries?: Record<string, { workspace?: unknown; agentDir?: unknown }>;
    };
    logging?: { file?: unknown };
  };
  const out: string[] = [];
  const abs = (v: unknown): v is string => typeof v === 'string' && v.startsWith('/');
  if (abs(c.agents?.defaults?.workspace)) out.push(c.agents.defaults.workspace);
  for (const a of Array.isArray(c.agents?.list) ? c.agents.list : []) if (abs(a?.workspace)) out.push(a.workspace);
  // 2026.9 keeps per-agent entries with their own workspace and agent dir (auth profiles).
  for (const a of Object.values(c.agents?.entries ?? {})) {
    if (abs(a?.workspace)) out.push(a.workspace);
    if (abs(a?.agentDir)) out.push(a.agentDir);
  }
  // The log file's directory: rotated siblings sit next to it.
  if (abs(c.logging?.file)) out.push(c.logging.file.replace(/\/[^/]*$/, '') || '/');
  return out;
}
