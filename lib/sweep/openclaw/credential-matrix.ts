/**
 * OpenClaw's own list of where credentials live: the credential matrix its npm package ships
 * (docs/reference/secretref-user-supplied-credentials-matrix.json), as dot paths with `*` for
 * map keys and `[]` for arrays, per config file. The sweep finds config secrets by these paths
 * rather than by guessing from key names, so every channel and plugin OpenClaw knows is covered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../project-root.js';

export const MATRIX_RELATIVE_PATH = 'docs/reference/secretref-user-supplied-credentials-matrix.json';
export const BUNDLED_MATRIX_VERSION = '2026.9.6';
const DATA_DIR = join(projectRoot(), 'lib', 'sweep', 'openclaw');
const BUNDLED_MATRIX_FILE = join(DATA_DIR, `credentials-matrix.${BUNDLED_MATRIX_VERSION}.json`);
/** Documented credential fields the matrix leaves out (they take no SecretRef): added to every surface. */
const SUPPLEMENT_FILE = join(DATA_DIR, 'credentials-supplement.json');

const matrixSchema = z.object({
  version: z.number().int(),
  matrixId: z.string(),
  excludedMutableOrRuntimeManaged: z.array(z.string()).default([]),
  entries: z.array(z.object({ id: z.string(), configFile: z.string(), path: z.string().min(1) }).passthrough()).min(1),
});

/** openclaw.json and its backups, agents' auth-profiles.json, and the models.json OpenClaw generates per agent. */
export type ConfigFileKind = 'openclaw.json' | 'auth-profile-store' | 'agent-models';

export interface CredentialPath {
  /** The matrix id (e.g. `channels.telegram.botToken`), shown in findings. */
  id: string;
  file: ConfigFileKind;
  /** Path segments; `*` is any map key, `[]` any array element. */
  segments: string[];
  /**
   * The matrix's SecretRef-able entries, the runtime-managed ones it lists apart, or respond's
   * supplement of documented fields it leaves out: all secrets on disk.
   */
  origin: 'matrix' | 'runtime-managed' | 'supplement';
}

export interface CredentialSurface {
  /** Where the matrix came from: the host's installed OpenClaw or respond's pinned copy. */
  source: 'host' | 'bundled';
  /** The OpenClaw version whose matrix this is. */
  version: string;
  paths: CredentialPath[];
}

/**
 * Runtime-managed credentials the matrix names only by family; where they sit in the auth
 * profile store (OAuth profiles keep access and refresh tokens).
 */
const RUNTIME_MANAGED_AUTH_PROFILE_FIELDS = ['access', 'refresh', 'idToken', 'id_token', 'accessToken', 'refreshToken'];

export function parseMatrix(text: string, source: CredentialSurface['source'], version: string): CredentialSurface {
  const m = matrixSchema.parse(JSON.parse(text));
  const paths: CredentialPath[] = [];
  for (const e of m.entries) {
    const file = fileKind(e.configFile);
    if (file) paths.push({ id: e.id, file, segments: splitPath(e.path), origin: 'matrix' });
  }
  for (const p of m.excludedMutableOrRuntimeManaged) {
    if (p.startsWith('auth-profiles.oauth')) {
      for (const f of RUNTIME_MANAGED_AUTH_PROFILE_FIELDS) {
        paths.push({ id: `auth-profiles.oauth.${f}`, file: 'auth-profile-store', segments: ['profiles', '*', f], origin: 'runtime-managed' });
      }
    } else if (!p.startsWith('auth-profiles.') && !p.endsWith('.json')) {
      // `channels.whatsapp.creds.json` names a credentials file, which the content rules cover.
      paths.push({ id: p, file: 'openclaw.json', segments: splitPath(p), origin: 'runtime-managed' });
    }
  }
  const known = new Set(paths.map((p) => `${p.file}\0${p.segments.join('.')}`));
  for (const e of supplement()) {
    const file = fileKind(e.configFile);
    const segments = splitPath(e.path);
    if (file && !known.has(`${file}\0${segments.join('.')}`)) paths.push({ id: e.id, file, segments, origin: 'supplement' });
  }
  return { source, version, paths };
}

let supplementCache: Array<{ id: string; configFile: string; path: string }> | undefined;
function supplement() {
  supplementCache ??= matrixSchema.shape.entries.parse((JSON.parse(readFileSync(SUPPLEMENT_FILE, 'utf8')) as { entries: unknown }).entries);
  return supplementCache;
}

export function bundledSurface(): CredentialSurface {
  return parseMatrix(readFileSync(BUNDLED_MATRIX_FILE, 'utf8'), 'bundled', BUNDLED_MATRIX_VERSION);
}

function fileKind(configFile: string): ConfigFileKind | undefined {
  if (configFile === 'openclaw.json') return 'openclaw.json';
  if (configFile === 'auth-profile-store' || configFile === 'auth-profiles.json') return 'auth-profile-store';
  if (configFile === 'models.json') return 'agent-models';
  return undefined;
}

/** `hooks.mappings[].sessionKey` -> hooks, mappings, [], sessionKey. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('.')) {
    let p = part;
    let arrays = 0;
    while (p.endsWith('[]')) {
      p = p.slice(0, -2);
      arrays++;
    }
    if (p) out.push(p);
    for (let i = 0; i < arrays; i++) out.push('[]');
  }
  return out;
}

/** Finds the credential path, if any, that a concrete location in a config file is. */
export class CredentialMatcher {
  private readonly byFile: Map<ConfigFileKind, CredentialPath[]>;

  constructor(surface: CredentialSurface) {
    this.byFile = new Map();
    for (const p of surface.paths) this.byFile.set(p.file, [...(this.byFile.get(p.file) ?? []), p]);
  }

  match(file: ConfigFileKind, at: readonly string[]): CredentialPath | undefined {
    for (const p of this.byFile.get(file) ?? []) if (segmentsMatch(p.segments, at)) return p;
    return undefined;
  }
}

function segmentsMatch(pattern: readonly string[], at: readonly string[]): boolean {
  if (pattern.length !== at.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const a = at[i]!;
    if (p === '*') {
      if (a === '[]') return false;
    } else if (p !== a) return false;
  }
  return true;
}
