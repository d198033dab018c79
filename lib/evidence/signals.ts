/**
 * The activity signals of an incident window: rules as data (signals.toml beside this module),
 * counted over log and transcript lines with the first and last time each was seen. Only counts
 * and times leave: an evidence summary must not carry what the agent read or sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { projectRoot } from '../project-root.js';
import { parseTomlText } from '../toml-errors.js';

const signalSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    description: z.string().min(1),
    regex: z.string().min(1),
    ignoreCase: z.boolean().default(false),
    samples: z.object({ positive: z.array(z.string()).min(1), negative: z.array(z.string()).min(1) }).strict(),
  })
  .strict();
const fileSchema = z.object({ signals: z.array(signalSchema).min(1) }).strict();

export interface Signal {
  id: string;
  description: string;
  regex: RegExp;
  samples: { positive: string[]; negative: string[] };
}

export interface SignalCount {
  id: string;
  description: string;
  count: number;
  first?: string;
  last?: string;
  /** Matching lines with no time of their own (counted: they may be in the window). */
  untimed: number;
}

export const DEFAULT_SIGNALS = join(projectRoot(), 'lib', 'evidence', 'signals.toml');

export function loadSignals(file = DEFAULT_SIGNALS): Signal[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read signals file: ${(e as Error).message}`);
  }
  const raw = parseTomlText(text, file);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UserError(`${file}: ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  return parsed.data.signals.map((s) => {
    let regex: RegExp;
    try {
      regex = new RegExp(s.regex, `u${s.ignoreCase ? 'i' : ''}`);
    } catch (e) {
      throw new UserError(`${file}: signal ${s.id}: bad regex: ${(e as Error).message}`);
    }
    return { id: s.id, description: s.description, regex, samples: s.samples };
  });
}

// JSON log and transcript lines carry their time in one of these fields; plain logs lead with it.
const TIME_FIELD = /"(?:time|ts|timestamp|date)"\s*:\s*"(\d{4}-\d{2}-\d{2}T[^"]+)"/;
const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/;

export function lineTime(line: string): number | undefined {
  const m = TIME_FIELD.exec(line) ?? LEADING_TIME.exec(line);
  if (!m) return undefined;
  const t = Date.parse(m[1]!.replace(' ', 'T'));
  return Number.isNaN(t) ? undefined : t;
}

/** Counts each signal over lines at or after `sinceMs` (and lines with no time). */
export function countSignals(signals: readonly Signal[], lines: Iterable<string>, sinceMs: number): SignalCount[] {
  const counts = new Map(signals.map((s) => [s.id, { id: s.id, description: s.description, count: 0, untimed: 0 } as SignalCount]));
  for (const line of lines) {
    if (!line) continue;
    const t = lineTime(line);
    if (t !== undefined && t < sinceMs) continue;
    for (const s of signals) {
      if (!s.regex.test(line)) continue;
      const c = counts.get(s.id)!;
      c.count++;
      if (t === undefined) {
        c.untimed++;
        continue;
      }
      const iso = new Date(t).toISOString();
      if (!c.first || iso < c.first) c.first = iso;
      if (!c.last || iso > c.last) c.last = iso;
    }
  }
  return [...counts.values()];
}

/** Samples that do not behave: each positive must match its signal, each negative must not. */
export function signalSampleFailures(signals: readonly Signal[]): string[] {
  const out: string[] = [];
  for (const s of signals) {
    for (const p of s.samples.positive) if (!s.regex.test(p)) out.push(`${s.id}: positive sample not matched: ${p}`);
    for (const n of s.samples.negative) if (s.regex.test(n)) out.push(`${s.id}: negative sample matched: ${n}`);
  }
  return out;
}
