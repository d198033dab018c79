/**
 * OpenClaw's own `openclaw secrets audit --json` (2026.9.x): plaintext residues it knows of in
 * its config, auth profile stores, generated models.json files and .env files, as file and JSON
 * path, never the value. The sweep merges them so it never reports less than OpenClaw's audit.
 */
import JSON5 from 'json5';
import { z } from 'zod';

/** The codes that mean "a secret sits on disk"; the others are about refs that do not resolve. */
const RESIDUE_CODES = new Set(['PLAINTEXT_FOUND', 'STORE_PLAINTEXT_RESIDUE', 'LEGACY_RESIDUE']);

const reportSchema = z.object({
  version: z.number().optional(),
  status: z.string(),
  findings: z.array(z.object({ code: z.string(), file: z.string(), jsonPath: z.string().optional(), message: z.string().optional() }).passthrough()).default([]),
});

export interface AuditResidue {
  code: string;
  file: string;
  /** `gateway.auth.token`, `profiles.anthropic:default.key`, `$env.NAME`, or `<root>` for a whole legacy file. */
  jsonPath: string;
  message: string;
}

export interface AuditReport {
  status: string;
  residues: AuditResidue[];
}

/** Null when stdout holds no audit report (an older OpenClaw without the command, a crash). */
export function parseAuditReport(stdout: string): AuditReport | null {
  const start = stdout.indexOf('{');
  if (start < 0) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(stdout.slice(start));
  } catch {
    return null;
  }
  const r = reportSchema.safeParse(raw);
  if (!r.success) return null;
  return {
    status: r.data.status,
    residues: r.data.findings
      .filter((f) => RESIDUE_CODES.has(f.code))
      .map((f) => ({ code: f.code, file: f.file, jsonPath: f.jsonPath ?? '<root>', message: f.message ?? f.code })),
  };
}

/** The string the audit's path points at in a file's text, if it is one. */
export function valueAt(text: string, jsonPath: string): string | undefined {
  if (jsonPath === '<root>') return undefined;
  if (jsonPath.startsWith('$env.')) {
    const name = jsonPath.slice(5);
    for (const line of text.split('\n')) {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
      if (m && m[1] === name) return m[2]!.replace(/^(["'])(.*)\1$/, '$2');
    }
    return undefined;
  }
  let cur: unknown;
  try {
    cur = JSON5.parse(text);
  } catch {
    return undefined;
  }
  for (const seg of jsonPath.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) && /^\d+$/.test(seg) ? cur[Number(seg)] : (cur as Record<string, unknown>)[seg];
  }
  return typeof cur === 'string' && cur.length > 0 ? cur : undefined;
}
