/**
 * Inventory loading, one path: read, parse YAML, validate, check cross-host rules, normalise.
 * Every error is a one-line UserError naming file:line and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ZodIssue } from 'zod';
import { UserError } from '../errors.js';
import { inventorySchema, type HostSpec, type Inventory } from './schema.js';
import { markSharedCredentials } from './shared-credentials.js';

export type { HostSpec, Inventory } from './schema.js';

type PathPart = string | number;

export function loadInventory(file: string): Inventory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read inventory (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseInventory(text, file);
}

export function parseInventory(text: string, file: string): Inventory {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new UserError(`${file}:${line}: invalid YAML: ${syntax.message.split('\n')[0]}`);
  }
  const where = (path: PathPart[], key?: string) => `${file}:${lineOf(doc, lineCounter, path, key)}`;

  const parsed = inventorySchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(describeIssue(issue, where));
  }
  const inv = parsed.data;
  const baseDir = dirname(resolve(file));
  const seen = new Map<string, number>();
  inv.hosts.forEach((host, i) => {
    const first = seen.get(host.name);
    if (first !== undefined) {
      throw new UserError(
        `${where(['hosts', i, 'name'])}: hosts[${i}].name: duplicate host name "${host.name}" (first at ${where(['hosts', first, 'name'])})`,
      );
    }
    seen.set(host.name, i);
    const t = host.transport;
    if (t.type === 'ssh') {
      t.identityFile = workerPath(t.identityFile, baseDir);
      t.knownHostsFile = workerPath(t.knownHostsFile, baseDir);
      if (!existsSync(t.identityFile)) {
        throw new UserError(
          `${where(['hosts', i, 'transport', 'identityFile'])}: hosts[${i}].transport.identityFile: key file not found: ${t.identityFile}`,
        );
      }
      if (t.strictHostKeyChecking && !existsSync(t.knownHostsFile)) {
        throw new UserError(
          `${where(['hosts', i, 'transport', 'knownHostsFile'])}: hosts[${i}].transport.knownHostsFile: known_hosts file not found: ${t.knownHostsFile} (strict host key checking is on)`,
        );
      }
    }
  });
  markSharedCredentials(inv, file);
  inv.hosts.forEach((host, i) => {
    if (host.clientOf === undefined) return;
    const gw = inv.hosts.find((h) => h.name === host.clientOf);
    if (!gw || gw === host) {
      throw new UserError(`${where(['hosts', i, 'clientOf'])}: hosts[${i}].clientOf: ${gw ? 'a host cannot be its own client' : `no host named "${host.clientOf}" in the inventory`}`);
    }
    const { remoteClients: _nested, ...client } = host;
    gw.remoteClients = [...(gw.remoteClients ?? []), client];
  });
  return inv;
}

/**
 * `--hosts` expression: comma-separated host names, `tag:<tag>`, or `all`.
 * A name that matches nothing is an error, so a typo cannot silently shrink the target set.
 */
export function selectHosts(inv: Inventory, expr: string): HostSpec[] {
  const terms = expr.split(',').map((s) => s.trim()).filter(Boolean);
  if (terms.length === 0) throw new UserError(`--hosts: empty host selection`);
  const picked = new Set<string>();
  for (const term of terms) {
    if (term === 'all') {
      inv.hosts.forEach((h) => picked.add(h.name));
    } else if (term.startsWith('tag:')) {
      const tag = term.slice(4);
      const hits = inv.hosts.filter((h) => h.tags.includes(tag));
      if (hits.length === 0) throw new UserError(`--hosts: no host has tag "${tag}"`);
      hits.forEach((h) => picked.add(h.name));
    } else {
      if (!inv.hosts.some((h) => h.name === term)) throw new UserError(`--hosts: unknown host "${term}"`);
      picked.add(term);
    }
  }
  // Inventory order, so canaries listed first run first.
  return inv.hosts.filter((h) => picked.has(h.name));
}

function workerPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

function describeIssue(issue: ZodIssue, where: (path: PathPart[], key?: string) => string): string {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return `${where(path, key)}: ${fieldName([...path, key])}: unknown field "${key}"`;
  }
  const field = fieldName(path) || '(top level)';
  let message = issue.message;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') message = 'required field is missing';
  return `${where(path)}: ${field}: ${message}`;
}

function fieldName(path: PathPart[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** Line of the deepest YAML node along `path` (a missing field points at its parent). */
function lineOf(doc: Document, lc: LineCounter, path: PathPart[], key?: string): number {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  const parts: PathPart[] = key === undefined ? path : [...path, key];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const isKeyLookup = key !== undefined && i === parts.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(part));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (isKeyLookup) {
        offset = keyNode.range?.[0] ?? offset;
        break;
      }
      node = pair.value;
      // A scalar value sits on its key's line; a nested block starts on the next line.
      offset = (isScalar(node) ? (node as Node).range?.[0] : keyNode.range?.[0]) ?? offset;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return lc.linePos(offset).line;
}
