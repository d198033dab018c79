/** The two key lines of one profile in an AWS shared credentials file (INI), read and rewritten in place. Pure. */

const SECTION = /^\s*\[([^\]]+)\]\s*$/;
const KEY = /^\s*(aws_access_key_id|aws_secret_access_key)\s*=\s*(.*?)\s*$/;

function sectionRange(lines: string[], profile: string): [number, number] | null {
  const start = lines.findIndex((l) => SECTION.exec(l)?.[1]?.trim() === profile);
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && !SECTION.test(lines[end]!)) end++;
  return [start, end];
}

export function profileKeys(text: string, profile: string): { id: string; secret: string } | null {
  const lines = text.split('\n');
  const r = sectionRange(lines, profile);
  if (!r) return null;
  const found: Record<string, string> = {};
  for (const l of lines.slice(r[0] + 1, r[1])) {
    const m = KEY.exec(l);
    if (m) found[m[1]!] = m[2]!;
  }
  return found.aws_access_key_id && found.aws_secret_access_key ? { id: found.aws_access_key_id, secret: found.aws_secret_access_key } : null;
}

/** Other profiles, comments and keys (a session token, a region) stay as they were. */
export function withProfileKeys(text: string, profile: string, keys: { id: string; secret: string }): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const wanted = { aws_access_key_id: keys.id, aws_secret_access_key: keys.secret };
  const r = sectionRange(lines, profile);
  if (!r) return [...lines, ...(lines.length ? [''] : []), `[${profile}]`, ...Object.entries(wanted).map(([k, v]) => `${k} = ${v}`)].join('\n') + '\n';
  const body = lines.slice(r[0] + 1, r[1]).filter((l) => !KEY.test(l));
  const insert = Object.entries(wanted).map(([k, v]) => `${k} = ${v}`);
  return [...lines.slice(0, r[0] + 1), ...insert, ...body, ...lines.slice(r[1])].join('\n') + '\n';
}
