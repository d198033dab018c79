/**
 * Scrub: for each file that still holds a rotated credential, keep a verified copy in a
 * owner-only quarantine directory with a manifest (path, mode, owner, sha256), then redact the
 * value in place, every encoding of it the hunt knows. Nothing is deleted: the quarantined copy
 * is checked byte for byte before the original is rewritten, and the rewrite keeps mode and owner.
 * Re-running is safe: a file that no longer holds the value is left alone and its earlier
 * manifest entry kept.
 */
import { createHash } from 'node:crypto';
import { fingerprint } from '../../lib/secrets.js';
import { huntVariants, type HuntTarget } from '../../lib/sweep/hunt.js';
import type { SweepTransport } from './transport.js';

export interface ScrubOptions {
  /** The files to scrub: normally the paths of a sweep's hunt findings. */
  paths: readonly string[];
  hunts: readonly HuntTarget[];
  /** Parent of the quarantine dirs; created 0700. Root-owned when the sweep runs as root. */
  quarantineBase: string;
  /** Names this scrub's quarantine dir (e.g. the workflow and step id), so a retry reuses it. */
  label: string;
}

export interface ScrubEntry {
  path: string;
  quarantinedAs: string;
  /** Octal permission bits, as `stat %a` prints them. */
  mode: string;
  uid: number;
  gid: number;
  size: number;
  sha256: string;
  sha256After: string;
  refs: string[];
  replacements: number;
  at: string;
}

export interface ScrubResult {
  host: string;
  quarantineDir: string;
  manifest: string;
  scrubbed: ScrubEntry[];
  untouched: Array<{ path: string; reason: string }>;
}

interface Manifest {
  version: 1;
  host: string;
  entries: ScrubEntry[];
}

export async function runScrub(t: SweepTransport, opts: ScrubOptions): Promise<ScrubResult> {
  if (!/^[A-Za-z0-9._-]+$/.test(opts.label)) throw new Error(`scrub label "${opts.label}" must be letters, digits, . _ -`);
  const dir = `${opts.quarantineBase.replace(/\/+$/, '')}/${opts.label}`;
  await must(t, 'mkdir', ['-p', '-m', '0700', '--', opts.quarantineBase]);
  await must(t, 'mkdir', ['-p', '-m', '0700', '--', dir]);
  // mkdir -p leaves an existing dir's mode alone: enforce it.
  await must(t, 'chmod', ['0700', '--', opts.quarantineBase, dir]);
  const manifestPath = `${dir}/manifest.json`;
  const previous = await t.readFile(manifestPath);
  const manifest: Manifest = previous ? (JSON.parse(previous) as Manifest) : { version: 1, host: t.host, entries: [] };
  const result: ScrubResult = { host: t.host, quarantineDir: dir, manifest: manifestPath, scrubbed: [], untouched: [] };
  const variants = huntVariants(opts.hunts).sort((a, b) => b.literal.length - a.literal.length);

  for (const path of [...new Set(opts.paths)]) {
    const content = await t.readFile(path).catch((e: Error) => {
      result.untouched.push({ path, reason: `unreadable: ${e.message.split('\n')[0]}` });
      return undefined;
    });
    if (content === undefined) continue;
    if (content === null) {
      result.untouched.push({ path, reason: 'no longer exists' });
      continue;
    }
    const present = variants.filter((v) => content.includes(v.literal));
    if (present.length === 0) {
      result.untouched.push({ path, reason: 'does not hold the value (already scrubbed or rotated)' });
      continue;
    }
    if (content.includes('\uFFFD')) {
      // Rewriting through a text decode would alter other bytes of the file.
      result.untouched.push({ path, reason: 'not valid UTF-8: quarantine and redact it by hand' });
      continue;
    }
    const st = (await must(t, 'stat', ['-c', '%a %u %g %s', '--', path])).stdout.trim().split(' ');
    const [mode, uid, gid, size] = [st[0]!, Number(st[1]), Number(st[2]), Number(st[3])];
    const sha256 = sha(content);
    const n = manifest.entries.length + result.scrubbed.length;
    const quarantinedAs = `${dir}/${String(n).padStart(4, '0')}-${path.split('/').pop()}`;
    await must(t, 'cp', ['-p', '--', path, quarantinedAs]);
    await must(t, 'chmod', ['0600', '--', quarantinedAs]);
    const copy = await t.readFile(quarantinedAs);
    if (copy === null || sha(copy) !== sha256) {
      throw new Error(`${t.host}: quarantined copy of ${path} does not match the original; nothing was redacted`);
    }
    let redacted = content;
    let replacements = 0;
    for (const v of present) {
      const parts = redacted.split(v.literal);
      replacements += parts.length - 1;
      redacted = parts.join(`[REDACTED ${fingerprint(v.value)} ${v.encoding}]`);
    }
    await t.writeFile(path, redacted, parseInt(mode, 8));
    await must(t, 'chown', [`${uid}:${gid}`, '--', path]);
    await must(t, 'chmod', [mode, '--', path]);
    const after = await t.readFile(path);
    if (after === null || variants.some((v) => after.includes(v.literal))) {
      throw new Error(`${t.host}: ${path} still holds the value after redaction; the original is in ${quarantinedAs}`);
    }
    const entry: ScrubEntry = {
      path,
      quarantinedAs,
      mode,
      uid,
      gid,
      size,
      sha256,
      sha256After: sha(after),
      refs: [...new Set(present.map((v) => v.ref))],
      replacements,
      at: new Date().toISOString(),
    };
    result.scrubbed.push(entry);
    // Written after every file, so a crash mid-way still leaves a manifest for every copy made.
    await t.writeFile(manifestPath, `${JSON.stringify({ ...manifest, entries: [...manifest.entries, ...result.scrubbed] }, null, 2)}\n`, 0o600);
  }
  return result;
}

function sha(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

async function must(t: SweepTransport, cmd: string, args: string[]) {
  const r = await t.run(cmd, args);
  if (r.exitCode !== 0) throw new Error(`${t.host}: ${cmd} ${args.at(-1)} failed: ${r.stderr.trim().split('\n')[0]}`);
  return r;
}
