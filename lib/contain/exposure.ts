/**
 * Containment as OpenClaw's own incident-response guide orders it (docs/gateway/security/
 * operator-incident-response.md): close exposure (`gateway.bind: "loopback"`, Tailscale
 * Serve/Funnel off) and freeze access (open DM policies to `"disabled"`, `"*"` allow-all entries
 * removed). Pure: from a parsed config to what is exposed and the edits that contain it. The edits
 * hold settings and sender ids only, never a credential, so they can go into an approval.
 */

export interface ConfigEdit {
  /** Dot path in the OpenClaw config. */
  path: string;
  before: unknown;
  after: unknown;
  why: string;
}

export interface Exposure {
  bind: string;
  authMode: string;
  tailscale: string;
  /** Channels (and accounts) whose DMs anyone may open. */
  openDms: string[];
  /** Allow lists holding `"*"`. */
  wildcards: string[];
}

const ALLOW_KEYS = ['allowFrom', 'groupAllowFrom'];

export function exposureOf(cfg: unknown): Exposure {
  const str = (v: unknown, d: string) => (typeof v === 'string' && v ? v : d);
  const edits = containEdits(cfg);
  return {
    // Unset means the release's default, loopback (2026.1.29 and 2026.9.x alike).
    bind: str(getPath(cfg, ['gateway', 'bind']), 'loopback (default)'),
    authMode: str(getPath(cfg, ['gateway', 'auth', 'mode']), getPath(cfg, ['gateway', 'auth', 'password']) ? 'password' : 'token (default)'),
    tailscale: str(getPath(cfg, ['gateway', 'tailscale', 'mode']), 'off'),
    openDms: edits.filter((e) => e.path.endsWith('.dmPolicy')).map((e) => e.path.replace(/\.dmPolicy$/, '')),
    wildcards: edits.filter((e) => ALLOW_KEYS.some((k) => e.path.endsWith(`.${k}`))).map((e) => e.path),
  };
}

export function containEdits(cfg: unknown): ConfigEdit[] {
  const edits: ConfigEdit[] = [];
  const bind = getPath(cfg, ['gateway', 'bind']);
  if (bind !== undefined && bind !== 'loopback') {
    edits.push({ path: 'gateway.bind', before: bind, after: 'loopback', why: 'listen on 127.0.0.1 only until the incident is understood' });
  }
  const ts = getPath(cfg, ['gateway', 'tailscale', 'mode']);
  if (ts === 'serve' || ts === 'funnel') {
    edits.push({ path: 'gateway.tailscale.mode', before: ts, after: 'off', why: `Tailscale ${ts} exposes the gateway beyond this machine` });
  }
  const channels = getPath(cfg, ['channels']);
  if (channels && typeof channels === 'object') walk(channels, 'channels', edits);
  return edits;
}

// Channel settings nest (channels.<ch>, .accounts.<id>, .groups.<id>, ...): every level counts.
function walk(node: unknown, path: string, edits: ConfigEdit[]): void {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return;
  const o = node as Record<string, unknown>;
  if (o.dmPolicy === 'open') edits.push({ path: `${path}.dmPolicy`, before: 'open', after: 'disabled', why: 'anyone could message the agent' });
  for (const k of ALLOW_KEYS) {
    const list = o[k];
    if (Array.isArray(list) && list.some((x) => x === '*' || x === '"*"')) {
      edits.push({ path: `${path}.${k}`, before: list, after: list.filter((x) => x !== '*' && x !== '"*"'), why: '"*" lets every sender in' });
    }
  }
  for (const [k, v] of Object.entries(o)) if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, `${path}.${k}`, edits);
}

/** Applies edits to a parsed config in place (the caller writes it). */
export function applyEdits(cfg: Record<string, unknown>, edits: readonly ConfigEdit[]): void {
  for (const e of edits) {
    const parts = e.path.split('.');
    let cur: Record<string, unknown> = cfg;
    for (const p of parts.slice(0, -1)) {
      if (!cur[p] || typeof cur[p] !== 'object') cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    }
    cur[parts.at(-1)!] = e.after;
  }
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
