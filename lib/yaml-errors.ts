/**
 * YAML + zod, with errors a person can act on: `file:line: path: message`, one line, the first
 * problem only (fix it, run again).
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UserError } from './errors.js';

export function parseYamlWithSchema<S extends z.ZodTypeAny>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = lineCounter.linePos(yamlError.pos[0]);
    throw new UserError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${firstLine(yamlError.message)}`);
  }
  const parsed = schema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  let path = issue.path;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...issue.path, issue.keys[0]!];
    message = `unknown field "${issue.keys[0]}"`;
  } else if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    message = 'required field is missing';
  }
  const line = lineOf(doc, path, lineCounter);
  throw new UserError(`${file}:${line}: ${formatPath(path) || '(top level)'}: ${message}`);
}

/** Line of the deepest node along `path` that exists: for a missing field, its parent. */
function lineOf(doc: Document, path: (string | number)[], lineCounter: LineCounter): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const sub = path.slice(0, depth);
    const node = sub.length === 0 ? doc.contents : doc.getIn(sub, true);
    const keyNode = depth > 0 ? keyNodeOf(doc, sub) : undefined;
    const target = keyNode ?? node;
    if (isNode(target) && target.range) return lineCounter.linePos(target.range[0]).line;
  }
  return 1;
}

/** The key node of a map entry, so "unknown field x" points at x itself. */
function keyNodeOf(doc: Document, path: (string | number)[]): unknown {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray((parent as { items: unknown[] }).items)) {
    for (const item of (parent as { items: unknown[] }).items) {
      if (item && typeof item === 'object' && 'key' in item) {
        const key = (item as { key: unknown }).key;
        if (isNode(key) && 'value' in key && (key as { value: unknown }).value === last) return key;
      }
    }
  }
  return undefined;
}

export function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
