/**
 * Preserve the evidence of one host before the response changes anything: its config, the
 * agents' session transcripts and the gateway logs touched since the incident began, and an
 * archive of every workspace's memory files and skills, copied into a 0700 evidence dir with a
 * manifest (sha256 of each copy). Then count the hardening guide's signals over those lines, and
 * read the gateway's own activity ledger (`openclaw audit`, where the release has one). Only
 * counts, times and hashes leave the host; the copies stay in the evidence dir.
 * Idempotent: a retry writes the same dir again.
 */
import type { HostSpec } from '../../lib/inventory/schema.js';
import { countSignals, loadSignals, type SignalCount } from '../../lib/evidence/signals.js';
import { openQuarantineDir, type QuarantineSettings } from '../hosts/quarantine-base.js';
import { getPath } from '../openclaw/config.js';
import { runOpenclaw } from '../openclaw/host.js';
import { expandHome } from '../openclaw/paths.js';
import { openMemoryHost } from '../memory/memory-host.js';

export interface EvidenceFile {
  path: string;
  copiedAs: string;
  sha256: string;
  size: number;
}

export interface LedgerSummary {
  available: boolean;
  reason?: string;
  entries?: number;
  byStatus?: Record<string, number>;
  byTool?: Record<string, number>;
}

export interface EvidenceResult {
  host: string;
  since: string;
  dir: string;
  manifest: string;
  files: EvidenceFile[];
  archive?: string;
  signals: SignalCount[];
  ledger: LedgerSummary;
}

/** Bytes read from the end of each log or transcript for the signal counts (the copy is whole). */
const TAIL_BYTES = 16 * 1024 * 1024;

export async function collectEvidence(input: { host: HostSpec; since: string; label: string }, q: QuarantineSettings): Promise<EvidenceResult> {
  const sinceMs = Date.parse(input.since);
  if (!/^\d{4}-\d{2}-\d{2}/.test(input.since) || Number.isNaN(sinceMs)) throw new Error(`since=${input.since}: not an ISO 8601 time`);
  const mh = await openMemoryHost(input.host);
  const { h } = mh;
  const t = h.t;
  try {
    const dir = await openQuarantineDir(t, input.host.transport.type === 'local', q, input.host.name, input.label);

    const logFile = getPath(h.rawConfig, ['logging', 'file']);
    const logDirs = ['/tmp/openclaw', `${h.spec.env.TMPDIR ?? '/tmp'}/openclaw`];
    const found = await t.run(
      'sh',
      [
        '-c',
        // Transcripts and logs changed since the incident began; the config always.
        'since="$1"; shift; cfg="$1"; shift; state="$1"; shift; printf "%s\\n" "$cfg"; [ -d "$state/agents" ] && find "$state/agents" -path "*/sessions/*.jsonl" -type f -newermt "$since" 2>/dev/null; for d in "$@"; do [ -e "$d" ] && find "$d" -maxdepth 1 -type f \\( -name "*.log" -o -name "*.jsonl" \\) -newermt "$since" 2>/dev/null; done; true',
        'sh',
        new Date(sinceMs).toISOString(),
        h.configPath,
        h.stateDir,
        ...(typeof logFile === 'string' && logFile ? [expandHome(logFile, h.home)] : []),
        ...logDirs,
      ],
      { timeoutMs: 60_000 },
    );
    const paths = [...new Set(found.stdout.split('\n').filter((p) => p.startsWith('/')))];
    const files: EvidenceFile[] = [];
    const lines: string[] = [];
    for (const [i, p] of paths.entries()) {
      const copiedAs = `${dir}/${String(i).padStart(4, '0')}-${p.replace(/^\/+/, '').replace(/\//g, '_')}`;
      const r = await t.run('sh', ['-c', 'cp -p -- "$1" "$2" && chmod 0600 -- "$2" && sha256sum -- "$2" | cut -d" " -f1 && stat -c %s -- "$2"', 'sh', p, copiedAs], { timeoutMs: 120_000 });
      if (r.exitCode !== 0) continue;
      const [sha256, size] = r.stdout.trim().split('\n');
      files.push({ path: p, copiedAs, sha256: sha256!, size: Number(size) });
      if (p === h.configPath) continue;
      const tail = await t.run('tail', ['-c', String(TAIL_BYTES), '--', copiedAs], { timeoutMs: 120_000 });
      lines.push(...tail.stdout.split('\n'));
    }

    // Memory files and skills of every workspace, as they are now.
    const archive = `${dir}/workspaces.tgz`;
    const tar = await t.run(
      'sh',
      [
        '-c',
        'out="$1"; shift; list=$(mktemp); for ws in "$@"; do for f in "$ws"/*.md "$ws/memory" "$ws/skills" "$ws/.agents/skills"; do [ -e "$f" ] && printf "%s\\0" "$f" >> "$list"; done; done; [ -s "$list" ] || { rm -f "$list"; exit 3; }; tar -czf "$out" --ignore-failed-read --null -T "$list" 2>/dev/null; rc=$?; rm -f "$list"; chmod 0600 -- "$out"; exit $rc',
        'sh',
        archive,
        ...mh.workspaces.map((w) => w.workspace),
      ],
      { timeoutMs: 300_000 },
    );
    const archived = tar.exitCode === 0 || tar.exitCode === 1;

    const ledger = await readLedger(mh.h, input.since, dir);
    const signals = countSignals(loadSignals(), lines, sinceMs);
    const manifest = `${dir}/manifest.json`;
    await t.writeFile(manifest, `${JSON.stringify({ version: 1, host: input.host.name, since: input.since, files, archive: archived ? archive : null, signals, ledger }, null, 2)}\n`, { mode: 0o600 });
    return { host: input.host.name, since: input.since, dir, manifest, files, ...(archived ? { archive } : {}), signals, ledger };
  } finally {
    await t.close();
  }
}

async function readLedger(h: Parameters<typeof runOpenclaw>[0], since: string, dir: string): Promise<LedgerSummary> {
  if (!h.pkg) return { available: false, reason: 'OpenClaw is not installed' };
  const r = await runOpenclaw(h, ['audit', '--after', since, '--kind', 'tool_action', '--limit', '500', '--json'], { timeoutMs: 90_000 });
  const start = r.stdout.search(/[[{]/);
  if (r.exitCode !== 0 || start < 0) {
    return { available: false, reason: `openclaw ${h.pkg.version} audit: ${(r.stderr || r.stdout).trim().split('\n').find((l) => l.trim()) ?? `exit ${r.exitCode}`}`.slice(0, 300) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.stdout.slice(start));
  } catch {
    return { available: false, reason: 'openclaw audit printed no JSON' };
  }
  await h.t.writeFile(`${dir}/activity-ledger.json`, `${JSON.stringify(parsed, null, 2)}\n`, { mode: 0o600 });
  const entries = firstArray(parsed);
  const byStatus: Record<string, number> = {};
  const byTool: Record<string, number> = {};
  for (const e of entries) {
    const rec = (e ?? {}) as Record<string, unknown>;
    const status = typeof rec.status === 'string' ? rec.status : 'unknown';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const tool = [rec.tool, rec.toolName, (rec.action as Record<string, unknown> | undefined)?.tool].find((x) => typeof x === 'string') as string | undefined;
    if (tool) byTool[tool] = (byTool[tool] ?? 0) + 1;
  }
  return { available: true, entries: entries.length, byStatus, byTool };
}

function firstArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object') for (const x of Object.values(v)) if (Array.isArray(x)) return x;
  return [];
}
