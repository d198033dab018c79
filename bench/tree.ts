/**
 * The throughput tree: at least 1 GiB of what a state dir, logs and a workspace look like
 * (JSON log lines, transcripts, markdown, code), under /tmp, generated once and reused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 3;
const WORDS =
  'agent gateway session tool result message user assistant config workspace channel plugin model provider request response latency error retry timeout connect health memory skill cron heartbeat device paired approve deny node exec bash file read write search fetch browser canvas voice'.split(
    ' ',
  );

function words(n: number): string {
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += `${WORDS[b[i]! % WORDS.length]} `;
  return s.trimEnd();
}

/** About 4 MiB of varied lines; files are slices of it, rotated so no two files are identical. */
function pool(): string {
  const lines: string[] = [];
  let size = 0;
  let i = 0;
  while (size < 4 * 1024 * 1024) {
    let line: string;
    switch (i % 5) {
      case 0:
        line = JSON.stringify({ time: new Date(1763900000000 + i * 1000).toISOString(), level: i % 7 ? 'info' : 'warn', subsystem: 'gateway/ws', runId: randomUUID(), msg: words(12) });
        break;
      case 1:
        line = JSON.stringify({ type: 'message', id: randomBytes(4).toString('hex'), message: { role: i % 2 ? 'user' : 'assistant', content: [{ type: 'text', text: words(30) }] } });
        break;
      case 2:
        line = `## ${words(4)}\n${words(25)}.`;
        break;
      case 3:
        line = `export function ${WORDS[i % WORDS.length]}${i}(input: string): string { return input.replace(/${WORDS[(i + 3) % WORDS.length]}/g, '${randomBytes(6).toString('hex')}'); }`;
        break;
      default:
        line = `${new Date(1763900000000 + i * 1000).toISOString()} DEBUG commit=${randomBytes(20).toString('hex')} ${words(8)}`;
    }
    lines.push(line);
    size += line.length + 1;
    i++;
  }
  return `${lines.join('\n')}\n`;
}

function matchingLines(n: number, groups: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < groups; i++) {
    lines.push(
      JSON.stringify({ time: new Date(1763900000000 + n * 1000).toISOString(), msg: `control ui http://127.0.0.1:18789/?token=${randomBytes(24).toString('hex')}` }),
      `export OPENCLAW_GATEWAY_TOKEN=${randomBytes(24).toString('hex')}`,
      `ANTHROPIC_API_KEY=sk-ant-api03-${randomBytes(70).toString('base64url').slice(0, 93)}AA`,
      `session_secret = "${randomBytes(24).toString('base64url')}"`,
      `aws_access_key_id = AKIAIOSFODNN7EXAMPLE`,
    );
  }
  return Buffer.from(lines.length ? `${lines.join('\n')}\n` : '');
}

export interface Tree {
  root: string;
  bytes: number;
  files: number;
}

/**
 * `groups` sets how much the rules match: each group is five lines (four real-format secrets and
 * one documentation key) appended to every 512 KiB file.
 */
export function ensureTree(root: string, groups: number, minBytes = 1024 ** 3): Tree {
  const marker = join(root, '.respond-bench-tree.json');
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as Tree & { version: number; groups: number };
    if (m.version === VERSION && m.groups === groups && m.bytes >= minBytes) return { root, bytes: m.bytes, files: m.files };
  }
  rmSync(root, { recursive: true, force: true });
  const text = Buffer.from(pool());
  const fileSize = 512 * 1024;
  let bytes = 0;
  let files = 0;
  while (bytes < minBytes) {
    const dir = join(root, `host${files % 8}`, files % 3 === 0 ? 'logs' : files % 3 === 1 ? 'sessions' : 'workspace', `d${files % 64}`);
    mkdirSync(dir, { recursive: true });
    const start = (files * 7919) % (text.length - fileSize);
    // Start at a line boundary so every file is well-formed text.
    const from = text.indexOf(10, start) + 1;
    const chunk = Buffer.concat([text.subarray(from, from + fileSize), matchingLines(files, groups)]);
    writeFileSync(join(dir, `f${files}.${files % 3 === 1 ? 'jsonl' : files % 3 === 0 ? 'log' : 'md'}`), chunk);
    bytes += chunk.length;
    files++;
  }
  writeFileSync(marker, JSON.stringify({ version: VERSION, groups, bytes, files }));
  return { root, bytes, files };
}
