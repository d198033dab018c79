/**
 * A baseline lists findings an operator has accepted (a test fixture, a key that is meant to be
 * there), by stable id. A previous JSON report is a valid baseline as is, like gitleaks', so
 * "accept everything found today" is `--format json --output baseline.json`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { fieldName } from './locate.js';

const entry = z
  .object({
    id: z.string().regex(/^[0-9a-f]{16}$/, 'expected a 16-hex-digit finding id'),
    reason: z.string().optional(),
  })
  .passthrough();

export const baselineSchema = z
  .object({
    findings: z.array(entry),
  })
  .passthrough();

export function parseBaseline(text: string, file: string): Set<string> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1;
    throw new UserError(`${file}:${line}: baseline is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = baselineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${file}:${jsonLine(text, issue.path)}: ${fieldName(issue.path)}: ${issue.message}`);
  }
  return new Set(parsed.data.findings.map((f) => f.id));
}

export function loadBaseline(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read baseline: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseBaseline(text, file);
}

/** The line of findings[n] (or one of its fields) in a pretty or compact JSON file: good enough to point at. */
function jsonLine(text: string, path: readonly (string | number)[]): number {
  const idx = path.findIndex((p) => typeof p === 'number');
  if (path[0] !== 'findings' || idx !== 1) return 1;
  const n = path[1] as number;
  const field = typeof path[2] === 'string' ? path[2] : 'id';
  const start = text.indexOf('"findings"');
  if (start < 0) return 1;
  // Walk entries at depth 1 inside the findings array.
  let depth = 0;
  let count = -1;
  for (let i = text.indexOf('[', start) + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = skipString(text, i);
      continue;
    }
    if (c === '{' || c === '[') {
      if (depth === 0) {
        count++;
        if (count === n) {
          const end = matching(text, i);
          const key = text.slice(i, end).indexOf(`"${field}"`);
          return text.slice(0, key >= 0 ? i + key : i).split('\n').length;
        }
      }
      depth++;
    } else if (c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
    }
  }
  return text.slice(0, start).split('\n').length;
}

function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j;
  }
  return text.length;
}

function matching(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') j = skipString(text, j);
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}
