/**
 * The memory backup: a git repository on the worker's side, one directory per host, that the
 * agents on the hosts cannot write. OpenClaw makes each workspace a git repo of its own; an
 * attacker with file access can rewrite that history, so it is never read as a baseline.
 *
 * Layout per host: `<host>/manifest.json` (every file with mode, owner, size, sha256) and
 * `<host>/files/<agent>/<path>`. The manifest holds no times, so an unchanged snapshot makes
 * no commit; the commit's date is the snapshot's time. With a remote, the local clone is
 * brought up to date before and pushed after every commit.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { z } from 'zod';
import { UserError } from '../../lib/errors.js';
import { backupPathOf, type MemoryFileMeta } from '../../lib/memory/files.js';

export interface BackupRepoSettings {
  /** The repository (or, with a remote, its clone) on the worker. */
  path: string;
  /** A git URL to push every snapshot to (and clone from when `path` does not exist yet). */
  remote?: string;
}

export const manifestSchema = z.object({
  version: z.literal(1),
  host: z.string(),
  workspaces: z.array(z.object({ agent: z.string(), workspace: z.string() })),
  files: z.array(
    z.object({
      agent: z.string(),
      workspace: z.string(),
      path: z.string(),
      mode: z.string(),
      uid: z.number(),
      gid: z.number(),
      size: z.number(),
      sha256: z.string(),
    }),
  ),
});
export type SnapshotManifest = z.infer<typeof manifestSchema>;

export interface SnapshotCommit {
  commit: string;
  /** ISO time of the commit: when that snapshot was taken. */
  at: string;
  subject: string;
}

const AUTHOR = ['-c', 'user.name=respond', '-c', 'user.email=respond@localhost', '-c', 'commit.gpgsign=false'];

// One writer at a time per repository in this worker; git's own index.lock guards against
// other processes, and a commit that meets it is retried.
const queues = new Map<string, Promise<unknown>>();

export class BackupRepo {
  private constructor(
    readonly settings: BackupRepoSettings,
    private readonly git: SimpleGit,
  ) {}

  /**
   * `create`: a snapshot may start a new repository (or clone the remote). Anything that only
   * reads it (restore, plan) refuses a missing one, with the path in the message.
   */
  static async open(settings: BackupRepoSettings, opts: { create: boolean }): Promise<BackupRepo> {
    const path = resolve(settings.path);
    if (!existsSync(join(path, '.git'))) {
      if (!opts.create) {
        throw new UserError(`memory backup repository ${path} does not exist: take a snapshot first (respond snapshot), or set RESPOND_MEMORY_BACKUP to where it is`);
      }
      if (existsSync(path) && !isEmptyDir(path)) throw new UserError(`memory backup repository ${path} exists but is not a git repository`);
      mkdirSync(dirname(path), { recursive: true });
      if (settings.remote) {
        await simpleGit({ allowEnvironment: ['GIT_TERMINAL_PROMPT'] }).env(gitEnv()).clone(settings.remote, path).catch((e: Error) => {
          throw new UserError(`memory backup remote ${settings.remote}: clone failed: ${firstLine(e.message)}`);
        });
      } else {
        mkdirSync(path, { recursive: true, mode: 0o700 });
        await simpleGit({ baseDir: path }).init(['--initial-branch=main']);
      }
      chmodSync(path, 0o700);
    }
    return new BackupRepo({ ...settings, path }, simpleGit({ baseDir: path, allowEnvironment: ['GIT_TERMINAL_PROMPT'] }).env(gitEnv()));
  }

  assertOutside(workspaces: readonly string[]): void {
    assertBackupOutside(this.settings.path, workspaces);
  }

  /**
   * Makes the host's directory exactly these files and commits it if anything changed.
   * Returns the commit that now holds this state (the previous one when nothing changed).
   */
  async commitSnapshot(host: string, manifest: SnapshotManifest, contents: Map<string, Buffer>, message: string, opts: { allowEmpty?: boolean } = {}): Promise<{ commit: string; changed: boolean }> {
    return this.exclusive(async () => {
      await this.pull();
      const hostDir = join(this.settings.path, host);
      rmSync(join(hostDir, 'files'), { recursive: true, force: true });
      mkdirSync(hostDir, { recursive: true });
      for (const f of manifest.files) {
        const p = join(hostDir, backupPathOf(f));
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, contents.get(`${f.agent}:${f.path}`)!);
      }
      writeFileSync(join(hostDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await this.git.add(['-A', '--', host]);
      const staged = (await this.git.raw(['diff', '--cached', '--name-only', '--', host])).trim();
      if (!staged && !opts.allowEmpty) {
        const head = await this.lastCommitFor(host);
        if (head) return { commit: head.commit, changed: false };
      }
      await this.retryLocked(() => this.git.raw([...AUTHOR, 'commit', '--quiet', '--allow-empty', '-m', message, '--', host]));
      const commit = (await this.git.revparse(['HEAD'])).trim();
      await this.push();
      return { commit, changed: Boolean(staged) };
    });
  }

  async lastCommitFor(host: string, before?: string): Promise<SnapshotCommit | undefined> {
    const args = ['log', '-1', '--format=%H%x09%cI%x09%s', ...(before ? [`--before=${before}`] : []), '--', `${host}/manifest.json`];
    const out = (await this.git.raw(args).catch(() => '')).trim();
    if (!out) return undefined;
    const [commit, at, subject] = out.split('\t');
    return { commit: commit!, at: at!, subject: subject ?? '' };
  }

  /** An explicit baseline: a commit, tag or branch that holds this host's snapshot. */
  async resolve(host: string, ref: string): Promise<SnapshotCommit> {
    const commit = (await this.git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
    if (!commit) throw new UserError(`memory backup ${this.settings.path}: no commit or tag "${ref}"`);
    const found = await this.git.raw(['log', '-1', '--format=%H%x09%cI%x09%s', commit, '--', `${host}/manifest.json`]);
    const [c, at, subject] = found.trim().split('\t');
    if (!c) throw new UserError(`memory backup ${this.settings.path}: ${ref} holds no snapshot of host ${host}`);
    return { commit: c, at: at!, subject: subject ?? '' };
  }

  async readSnapshot(host: string, commit: string): Promise<{ manifest: SnapshotManifest; contents: Map<string, Buffer> }> {
    const text = await this.git.show([`${commit}:${host}/manifest.json`]);
    const manifest = manifestSchema.parse(JSON.parse(text));
    const contents = new Map<string, Buffer>();
    for (const f of manifest.files) contents.set(`${f.agent}:${f.path}`, await this.blob(`${commit}:${host}/${backupPathOf(f)}`));
    return { manifest, contents };
  }

  /** Whether a commit message names this text (a restore's label): a retry must not record twice. */
  async hasCommitMentioning(text: string): Promise<boolean> {
    const out = await this.git.raw(['log', '-1', '--format=%H', '--fixed-strings', `--grep=${text}`]).catch(() => '');
    return out.trim().length > 0;
  }

  async tag(name: string, commit: string): Promise<void> {
    await this.exclusive(() => this.git.raw(['tag', '-f', name, commit]));
  }

  /** simple-git's show decodes as text; showBuffer keeps the bytes. */
  private blob(spec: string): Promise<Buffer> {
    return this.git.showBuffer([spec]);
  }

  private async pull(): Promise<void> {
    if (!this.settings.remote) return;
    const remotes = await this.git.getRemotes();
    if (remotes.length === 0) return;
    const heads = (await this.git.raw(['ls-remote', '--heads', 'origin']).catch((e: Error) => {
      throw new UserError(`memory backup remote ${this.settings.remote}: ${firstLine(e.message)}`);
    })).trim();
    if (heads) await this.git.raw(['pull', '--quiet', '--rebase', 'origin', 'HEAD']);
  }

  private async push(): Promise<void> {
    if (!this.settings.remote) return;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.git.raw(['push', '--quiet', 'origin', 'HEAD:main']);
        return;
      } catch (e) {
        // Another worker pushed first: take its commits and try again.
        if (attempt >= 3) throw new Error(`memory backup remote ${this.settings.remote}: push failed: ${firstLine((e as Error).message)}`);
        await this.git.raw(['pull', '--quiet', '--rebase', 'origin', 'main']);
      }
    }
  }

  private async retryLocked<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= 10 || !/index\.lock/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const key = this.settings.path;
    const run = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    queues.set(key, run);
    return run;
  }

}

export function manifestOf(host: string, workspaces: Array<{ agent: string; workspace: string }>, files: readonly MemoryFileMeta[]): SnapshotManifest {
  return {
    version: 1,
    host,
    workspaces: workspaces.map(({ agent, workspace }) => ({ agent, workspace })),
    files: files.map(({ agent, workspace, path, mode, uid, gid, size, sha256 }) => ({ agent, workspace, path, mode, uid, gid, size, sha256 })),
  };
}

/** Refuses a backup inside a workspace (or holding one): the agent could rewrite it. */
export function assertBackupOutside(repoPath: string, workspaces: readonly string[]): void {
  const repo = resolve(repoPath);
  for (const ws of workspaces) {
    const w = resolve(ws);
    if (inside(repo, w) || inside(w, repo)) {
      throw new UserError(`memory backup repository ${repo} overlaps the agent workspace ${w}: keep backups where the agent cannot write`);
    }
  }
}

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/**
 * git's environment: what it needs to find itself, the user's credentials and ssh agent, and no
 * prompts. Editors, pagers and hooks a worker's shell happens to set have no place here (and
 * simple-git refuses them).
 */
function gitEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'SSH_AUTH_SOCK', 'XDG_CONFIG_HOME'];
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return env;
}

function isEmptyDir(p: string): boolean {
  try {
    return readdirSync(p).length === 0;
  } catch {
    return false;
  }
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}
