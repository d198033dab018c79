/**
 * The contract with ripgrep: the flags a sweep runs with, and parsers for what rg prints
 * (`--json` on stdout, errors and `--debug` skip notes on stderr). Pure, so the same code reads
 * a local run and one over SSH.
 */
import type { LineHit } from './detector.js';
import type { SkippedFile } from './types.js';

export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;

/**
 * Directories never worth reading: dependency trees, git's compressed object store, and the
 * copy of its own web UI bundle OpenClaw caches in the state dir (minified code, no user data).
 */
// Globs name the directory itself, so rg prunes it instead of walking it and filtering each file.
export const EXCLUDED_GLOBS = ['!**/node_modules', '!**/.git/objects', '!**/cache/control-ui-assets'];

/**
 * Databases hold text values in the clear between binary page headers: OpenClaw 2026.9 keeps
 * state in state/openclaw.sqlite. rg would skip them as binary; they get a second pass in
 * text mode instead, over the files with these names that the metadata pass listed.
 */
export const DATABASE_GLOBS = ['*.sqlite', '*.sqlite-wal', '*.sqlite-journal', '*.sqlite3', '*.db'];

/**
 * Rules run with Unicode off: `\b`, `\s`, `\w` and `(?i)` mean their ASCII forms, which is what
 * key formats are made of. With Unicode on, one non-ASCII byte in a long minified line sends
 * Rust's regex engine from its DFA to a slower one for the whole rule set: 100 s instead of 1.5 s
 * on a 647 MB dependency tree. The detector's JS regexes (no `u` flag) read the same way.
 */
export const REGEX_DIALECT = ['--no-unicode'];

/**
 * The same search in text mode over explicit database files (listed by the metadata pass).
 * NUL-delimited records: a database page is mostly NULs, so records stay short. As one
 * megabyte-long "line" the whole rule set runs about ten times slower. Line numbers in these
 * findings count records, not text lines.
 */
export function databaseArgs(files: readonly string[], maxFileSize: number): string[] {
  return ['--json', '--text', '--null-data', ...commonArgs(files, maxFileSize)];
}

/** What is searched: the same for the sweep and for the plain-rg baseline it is measured against. */
function scopeArgs(maxFileSize: number): string[] {
  return [
    // Secrets hide in dotfiles and in files .gitignore names (.env): search everything.
    '--hidden',
    '--no-ignore',
    '--no-config',
    '--max-filesize',
    String(maxFileSize),
    ...EXCLUDED_GLOBS.flatMap((g) => ['--glob', g]),
  ];
}

/** Flags shared by the sweep's passes; `--file -` reads the patterns from stdin. */
function commonArgs(roots: readonly string[], maxFileSize: number): string[] {
  return [
    ...REGEX_DIALECT,
    ...scopeArgs(maxFileSize),
    // --debug is how rg says which files it skipped as binary; the rest of its notes are ignored.
    '--debug',
    // Patterns come on stdin: hunted values must never appear in a process list.
    '--file',
    '-',
    '--',
    ...roots,
  ];
}

/**
 * The main pass prints JSON: besides the line it gives each match's byte offsets, so the
 * detector re-runs rules only on a window around what rg matched, never on a whole
 * megabyte-long line of minified code.
 */
export function sweepArgs(roots: readonly string[], maxFileSize: number): string[] {
  return ['--json', ...commonArgs(roots, maxFileSize)];
}

/**
 * The same search with plain output: the benchmark's baselines. `operator` is how one would type
 * it (rg's default Unicode dialect); `sweep` uses the sweep's ASCII dialect, the fairer anchor.
 */
export function plainArgs(roots: readonly string[], maxFileSize: number, patternFile: string, dialect: 'operator' | 'sweep' = 'sweep'): string[] {
  return ['-n', ...(dialect === 'sweep' ? REGEX_DIALECT : []), ...scopeArgs(maxFileSize), '--file', patternFile, '--', ...roots];
}

/** The rules' keywords as fixed strings, case-insensitive: the cheapest pass an operator could type. */
export function keywordArgs(roots: readonly string[], maxFileSize: number, keywordFile: string): string[] {
  return ['-n', '-i', '-F', ...scopeArgs(maxFileSize), '--file', keywordFile, '--', ...roots];
}

interface RgText {
  text?: string;
  bytes?: string;
}

function lineBytes(t: RgText | undefined): Buffer {
  if (!t) return Buffer.alloc(0);
  if (t.text !== undefined) return Buffer.from(t.text, 'utf8');
  return Buffer.from(t.bytes ?? '', 'base64');
}

function decode(t: RgText | undefined): string {
  if (!t) return '';
  if (t.text !== undefined) return t.text;
  return Buffer.from(t.bytes ?? '', 'base64').toString('utf8');
}

export interface RgSummary {
  bytesSearched: number;
  filesSearched: number;
}

/**
 * How much of the line around each match the detector sees. Every rule's match is bounded by
 * these (the longest, a PEM header with its first base64 line, is under 300 bytes), so a rule
 * that rg's combined pattern matched only in part, or not first, is still whole in the window.
 */
export const WINDOW_BEFORE = 512;
export const WINDOW_AFTER = 1024;

/** The windows of one matched line: merged, cut at UTF-8 character boundaries. */
export function matchWindows(path: string, line: number, bytes: Buffer, matches: ReadonlyArray<{ start: number; end: number }>): LineHit[] {
  let len = bytes.length;
  // rg's line keeps its terminator (a newline, or NUL under --null-data).
  while (len > 0 && (bytes[len - 1] === 0x0a || bytes[len - 1] === 0x0d || bytes[len - 1] === 0x00)) len--;
  const spans: Array<[number, number]> = [];
  for (const m of matches) {
    let s = Math.max(0, m.start - WINDOW_BEFORE);
    let e = Math.min(len, m.end + WINDOW_AFTER);
    while (s > 0 && (bytes[s]! & 0xc0) === 0x80) s--;
    while (e < len && (bytes[e]! & 0xc0) === 0x80) e++;
    const last = spans.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else spans.push([s, e]);
  }
  return spans.map(([s, e]) => ({ path, line, text: bytes.toString('utf8', s, e), byteOffset: s, clippedLeft: s > 0, clippedRight: e < len }));
}

export interface RgReader {
  readonly summary: RgSummary;
  /** The windows of a matched line, or undefined for every other message. */
  line(raw: string): LineHit[] | undefined;
}

/**
 * Reads rg's `--json` stream one line at a time, so a local sweep can detect while rg is still
 * searching. A match becomes its windows; a summary line updates `summary`.
 */
export class RgJsonReader implements RgReader {
  readonly summary: RgSummary = { bytesSearched: 0, filesSearched: 0 };

  line(raw: string): LineHit[] | undefined {
    // Only match and summary messages matter; the cheap prefix test skips begin/end/context.
    if (raw.length === 0 || !(raw.startsWith('{"type":"match"') || raw.includes('"type":"summary"'))) return undefined;
    let msg: { type?: string; data?: Record<string, unknown> };
    try {
      msg = JSON.parse(raw);
    } catch {
      return undefined;
    }
    if (msg.type === 'match' && msg.data) {
      const d = msg.data as { path?: RgText; lines?: RgText; line_number?: number; submatches?: Array<{ start: number; end: number }> };
      const path = decode(d.path);
      const line = d.line_number ?? 0;
      // A line shorter than one window is its own window, whatever it matched: no byte round trip.
      const text = d.lines?.text;
      if (text !== undefined && Buffer.byteLength(text) <= WINDOW_BEFORE) {
        return [{ path, line, text: text.replace(/[\r\n\0]+$/, ''), byteOffset: 0, clippedLeft: false, clippedRight: false }];
      }
      const subs = d.submatches && d.submatches.length > 0 ? d.submatches : [{ start: 0, end: 0 }];
      return matchWindows(path, line, lineBytes(d.lines), subs);
    }
    if (msg.type === 'summary' && msg.data) {
      const st = (msg.data as { stats?: { bytes_searched?: number; searches?: number } }).stats;
      this.summary.bytesSearched = st?.bytes_searched ?? 0;
      this.summary.filesSearched = st?.searches ?? 0;
    }
    return undefined;
  }
}

const BINARY_NOTE = /^rg: DEBUG\|[^|]*\|[^ ]*: ignoring (.*): found binary data at offset (\d+)$/;
const OS_ERROR = /^rg: (.*): (.*) \(os error (\d+)\)$/;

/** Files rg could not read or skipped as binary; debug chatter is dropped. */
export function parseRgStderr(stderr: string): { skipped: SkippedFile[]; errors: string[] } {
  const skipped: SkippedFile[] = [];
  const errors: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line.length === 0) continue;
    const bin = BINARY_NOTE.exec(line);
    if (bin) {
      skipped.push({ path: bin[1]!, reason: 'binary', detail: `NUL byte at offset ${bin[2]}` });
      continue;
    }
    if (line.startsWith('rg: DEBUG|') || line.startsWith('rg: TRACE|')) continue;
    const os = OS_ERROR.exec(line);
    if (os) {
      skipped.push({ path: os[1]!, reason: 'unreadable', detail: os[2]! });
      continue;
    }
    errors.push(line);
  }
  return { skipped, errors };
}
