/** Finds, reads and validates a runbook file; returns the spec and its content hash. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { canonicalJson } from '../lib/canonical-json.js';
import { UserError } from '../lib/errors.js';
import { sha256Hex } from '../lib/secrets.js';
import { parseYamlWithSchema } from '../lib/yaml-errors.js';
import { projectRoot } from '../lib/project-root.js';
import { runbookSchema, type RunbookSpec } from '../workflows/runbook-schema.js';

export interface LoadedRunbook {
  spec: RunbookSpec;
  specSha256: string;
  path: string;
}

/** The runbooks shipped with respond (`respond start clawhavoc` finds runbooks/clawhavoc.yaml). */
export function bundledRunbooksDir(): string {
  return join(projectRoot(), 'runbooks');
}

/** A path to a file, or the name of a bundled runbook. */
export function locateRunbook(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  const bundled = join(bundledRunbooksDir(), `${nameOrPath}.yaml`);
  if (/^[a-z0-9-]+$/.test(nameOrPath) && existsSync(bundled)) return bundled;
  throw new UserError(`runbook "${nameOrPath}" not found (no such file, and no bundled runbook of that name)`, 3);
}

export async function loadRunbook(nameOrPath: string): Promise<LoadedRunbook> {
  const path = locateRunbook(nameOrPath);
  const text = await readFile(path, 'utf8');
  const spec = parseYamlWithSchema(text, path, runbookSchema);
  return { spec, specSha256: sha256Hex(canonicalJson(spec)), path };
}
