/**
 * The labelled corpus built from OpenClaw's own channel docs (docs/channels in the installed
 * package): every JSON5 config example that sets a credential, written as an openclaw.json (and
 * its .bak, as the CLI leaves one) twice — once with realistic-format fake credentials at each
 * credential path (planted), once as the docs print it, with their placeholders, env refs and
 * SecretRefs (decoys: any finding there is a false positive). The docs' `openclaw channels add`
 * command lines go into a shell history the same two ways.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSON5 from 'json5';
import { findConfigSecrets } from '../lib/sweep/openclaw/config-secrets.js';
import { CredentialMatcher, parseMatrix } from '../lib/sweep/openclaw/credential-matrix.js';
import type { Decoy, Planted } from './corpus.js';

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, cs = B62) => [...randomBytes(n)].map((b) => cs[b % cs.length]).join('');
const digits = (n: number) => rand(n, '0123456789');
const hex = (n: number) => randomBytes(n / 2).toString('hex');

/** A fake in the format the field really holds, so format rules are exercised too. */
function fakeFor(jsonPath: string): string {
  const field = jsonPath.split('.').pop()!;
  const channel = jsonPath.split('.')[1] ?? '';
  if (channel === 'telegram' && field === 'botToken') return `${digits(10)}:AA${rand(33, `${B62}_-`)}`;
  if (channel === 'slack' && field === 'botToken') return `xoxb-${digits(12)}-${digits(13)}-${rand(24)}`;
  if (channel === 'slack' && field === 'userToken') return `xoxp-${digits(12)}-${digits(13)}-${digits(13)}-${hex(32)}`;
  if (channel === 'slack' && field === 'appToken') return `xapp-1-A${rand(10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}-${digits(13)}-${hex(64)}`;
  if (channel === 'discord' && field === 'token') return `MT${rand(24)}.${rand(6)}.${rand(38, `${B62}_-`)}`;
  if (channel === 'matrix' && field === 'accessToken') return `syt_${rand(8).toLowerCase()}_${rand(20)}_${rand(6)}`;
  if (/signingSecret|authToken$/.test(field)) return hex(32);
  return `${rand(30)}${digits(2)}`;
}

export interface DocsCorpus {
  root: string;
  planted: Planted[];
  decoys: Decoy[];
  examples: number;
  channels: string[];
}

export function buildDocsCorpus(root: string, openclawPackage: string): DocsCorpus {
  rmSync(root, { recursive: true, force: true });
  const matrix = parseMatrix(readFileSync(join(openclawPackage, 'docs/reference/secretref-user-supplied-credentials-matrix.json'), 'utf8'), 'host', 'docs');
  const matcher = new CredentialMatcher(matrix);
  const docs = join(openclawPackage, 'docs', 'channels');
  const planted: Planted[] = [];
  const decoys: Decoy[] = [];
  const channels = new Set<string>();
  let examples = 0;
  const cliPlanted: string[] = [];
  const cliDecoys: string[] = [];
  for (const file of readdirSync(docs, { recursive: true }).map(String).filter((f) => f.endsWith('.md')).sort()) {
    const text = readFileSync(join(docs, file), 'utf8');
    let n = 0;
    for (const block of text.matchAll(/```json5?[^\n]*\n([\s\S]*?)```/g)) {
      let example: unknown;
      try {
        example = JSON5.parse(block[1]!);
      } catch {
        continue;
      }
      const fields = findConfigSecrets(JSON.stringify(example), 'openclaw.json', matcher, () => false) ?? [];
      if (fields.length === 0) continue;
      examples++;
      const slug = `${file.replace(/\.md$/, '').replace(/\//g, '-')}-${++n}`;
      // As the docs print it: every credential field there is a placeholder or a reference.
      const asWritten = `${JSON.stringify(example, null, 2)}\n`;
      const decoyDir = join(root, `${slug}-as-written`, '.openclaw');
      mkdirSync(decoyDir, { recursive: true });
      writeFileSync(join(decoyDir, 'openclaw.json'), asWritten);
      for (const f of findConfigSecrets(asWritten, 'openclaw.json', matcher, () => false) ?? []) {
        decoys.push({ path: join(decoyDir, 'openclaw.json'), line: f.line, kind: `docs-example ${f.credentialId}` });
      }
      // With realistic fakes at each credential path (strings only: SecretRef objects stay refs).
      const filled = JSON.parse(JSON.stringify(example)) as Record<string, unknown>;
      const values = new Map<string, string>();
      for (const f of fields) {
        const v = fakeFor(f.jsonPath);
        values.set(f.jsonPath, v);
        setAt(filled, f.jsonPath, v);
        channels.add(f.jsonPath.split('.')[1] ?? f.jsonPath);
      }
      const text2 = `${JSON.stringify(filled, null, 2)}\n`;
      const dir = join(root, slug, '.openclaw');
      mkdirSync(dir, { recursive: true });
      for (const name of ['openclaw.json', 'openclaw.json.bak']) {
        writeFileSync(join(dir, name), text2);
        for (const f of findConfigSecrets(text2, 'openclaw.json', matcher, () => false) ?? []) {
          if (values.get(f.jsonPath) === f.value) planted.push({ path: join(dir, name), line: f.line, value: f.value, family: `channel:${f.jsonPath.split('.')[1]}` });
        }
      }
    }
    for (const line of text.split('\n')) {
      const m = /(openclaw channels add\b.*?--(?:token|bot-token|app-token|password)[ =])("?)(<[^>]+>|[^\s"]+)\2/.exec(line);
      if (!m) continue;
      cliDecoys.push(line.trim().replace(/^[-*`\s]+|`$/g, ''));
      cliPlanted.push(`${m[1]}${m[2]}${fakeFor(/telegram/.test(line) ? 'channels.telegram.botToken' : 'channels.x.token')}${m[2]}`);
    }
  }
  // Channels whose docs show no config example with a credential: one config with every
  // credential path the matrix gives them, so each channel is in the corpus.
  const rest: Record<string, unknown> = {};
  const restValues: string[] = [];
  for (const p of matrix.paths) {
    const ch = p.segments[0] === 'channels' ? p.segments[1]! : undefined;
    if (!ch || channels.has(ch) || p.file !== 'openclaw.json' || p.segments.includes('[]')) continue;
    const at = p.segments.map((s, i) => (s === '*' ? (p.segments[i - 1] === 'headers' ? 'Authorization' : 'ops') : s)).join('.');
    const v = fakeFor(at);
    restValues.push(v);
    setDeep(rest, at.split('.'), v);
  }
  if (restValues.length > 0) {
    const dir = join(root, 'matrix-only-channels', '.openclaw');
    mkdirSync(dir, { recursive: true });
    const t = `${JSON.stringify(rest, null, 2)}\n`;
    writeFileSync(join(dir, 'openclaw.json'), t);
    for (const f of findConfigSecrets(t, 'openclaw.json', matcher, () => false) ?? []) {
      planted.push({ path: join(dir, 'openclaw.json'), line: f.line, value: f.value, family: `channel:${f.jsonPath.split('.')[1]}` });
      channels.add(f.jsonPath.split('.')[1]!);
    }
  }
  const hist = join(root, 'operator-home');
  mkdirSync(hist, { recursive: true });
  writeFileSync(join(hist, '.bash_history.docs'), `${cliDecoys.join('\n')}\n`);
  cliDecoys.forEach((_, i) => decoys.push({ path: join(hist, '.bash_history.docs'), line: i + 1, kind: 'docs-cli-example' }));
  writeFileSync(join(hist, '.bash_history'), `${cliPlanted.join('\n')}\n`);
  cliPlanted.forEach((l, i) => {
    const value = /--(?:token|bot-token|app-token|password)[ =]"?([^\s"]+)/.exec(l)![1]!;
    planted.push({ path: join(hist, '.bash_history'), line: i + 1, value, family: 'channel:cli' });
  });
  return { root, planted, decoys, examples, channels: [...channels].sort() };
}

function setAt(obj: Record<string, unknown>, jsonPath: string, value: string): void {
  const segs = jsonPath.replace(/\[\]/g, '.[]').split('.');
  let cur: unknown = obj;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i]!;
    cur = s === '[]' ? (cur as unknown[])[0] : (cur as Record<string, unknown>)[s];
  }
  const last = segs.at(-1)!;
  if (last !== '[]') (cur as Record<string, unknown>)[last] = value;
}

function setDeep(obj: Record<string, unknown>, segs: string[], value: string): void {
  let cur = obj;
  for (const s of segs.slice(0, -1)) cur = (cur[s] ??= {}) as Record<string, unknown>;
  cur[segs.at(-1)!] = value;
}
