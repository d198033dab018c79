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
 * The same search in text mode over explicit database files (listed by the metadata pass), as
 * JSON: records end in NUL here, so the plain format's line structure does not hold.
 */
export function databaseArgs(files: readonly string[], maxFileSize: number): string[] {
  // NUL-delimited records: a database page is mostly NULs, so records stay short. As one
  // megabyte-long "line" the whole rule set runs about ten times slower. Line numbers in these
  // findings count records, not text lines.
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
 * The main pass prints plain `path NUL line:text` records, as cheap for rg as an operator's
 * `rg -n` (JSON output costs it about 7% more), with --stats for the totals.
 */
export function sweepArgs(roots: readonly string[], maxFileSize: number): string[] {
  return ['--line-number', '--with-filename', '--null', '--no-heading', '--color', 'never', '--stats', ...commonArgs(roots, maxFileSize)];
}

/** The same search with plain output, as an operator would type it: the benchmark's baseline. */
export function plainArgs(roots: readonly string[], maxFileSize: number, patternFile: string): string[] {
  return ['-n', ...scopeArgs(maxFileSize), '--file', patternFile, '--', ...roots];
}

interface RgText {
  text?: string;
  bytes?: string;
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

export interface ParsedRgOutput {
  hits: LineHit[];
  summary: RgSummary;
}

export interface RgReader {
  readonly summary: RgSummary;
  line(raw: string): LineHit | undefined;
}

/** Reads the main pass's `path NUL line:text` records and the --stats block after them. */
export class RgTextReader implements RgReader {
  readonly summary: RgSummary = { bytesSearched: 0, filesSearched: 0 };

  line(raw: string): LineHit | undefined {
    const nul = raw.indexOf('\0');
    if (nul >= 0) {
      const colon = raw.indexOf(':', nul + 1);
      const n = Number(raw.slice(nul + 1, colon));
      if (colon < 0 || !Number.isInteger(n)) return undefined;
      return { path: raw.slice(0, nul), line: n, text: raw.slice(colon + 1).replace(/\r$/, '') };
    }
    const stat = /^(\d+) (bytes|files) searched$/.exec(raw);
    if (stat) {
      if (stat[2] === 'bytes') this.summary.bytesSearched = Number(stat[1]);
      else this.summary.filesSearched = Number(stat[1]);
    }
    return undefined;
  }
}

/**
 * Reads rg's `--json` stream one line at a time, so a local sweep can detect while rg is still
 * searching. Returns the match as a line hit; a summary line updates `summary`.
 */
export class RgJsonReader implements RgReader {
  readonly summary: RgSummary = { bytesSearched: 0, filesSearched: 0 };

  line(raw: string): LineHit | undefined {
    // Only match and summary messages matter; the cheap prefix test skips begin/end/context.
    if (raw.length === 0 || !(raw.startsWith('{"type":"match"') || raw.includes('"type":"summary"'))) return undefined;
    let msg: { type?: string; data?: Record<string, unknown> };
    try {
      msg = JSON.parse(raw);
    } catch {
      return undefined;
    }
    if (msg.type === 'match' && msg.data) {
      const d = msg.data as { path?: RgText; lines?: RgText; line_number?: number };
      return { path: decode(d.path), line: d.line_number ?? 0, text: decode(d.lines).replace(/\r?\n$/, '') };
    }
    if (msg.type === 'summary' && msg.data) {
      const st = (msg.data as { stats?: { bytes_searched?: number; searches?: number } }).stats;
      this.summary.bytesSearched = st?.bytes_searched ?? 0;
      this.summary.filesSearched = st?.searches ?? 0;
    }
    return undefined;
  }
}

export function parseRgJson(stdout: string): ParsedRgOutput {
  const reader = new RgJsonReader();
  const hits: LineHit[] = [];
  for (const raw of stdout.split('\n')) {
    const hit = reader.line(raw);
    if (hit) hits.push(hit);
  }
  return { hits, summary: reader.summary };
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
