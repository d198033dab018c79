/**
 * What respond finds out about the process serving a host's gateway port, and how that process
 * is managed. All of it is safe for workflow history: command lines are redacted, of the
 * environment only names (plus an allowlist of path variables) are kept.
 */

export interface ProcInfo {
  pid: number;
  ppid: number;
  uid: number;
  user: string | null;
  /** Kernel name (15 characters at most; OpenClaw retitles itself `openclaw-gateway`). */
  comm: string;
  exe: string | null;
  cwd: string | null;
  /** Redacted command line. A retitled process shows its title here, not its original argv. */
  argv: string[];
  cgroup: string[];
  pgid: number | null;
  sid: number | null;
  /** Names only; null when the environment is not readable (another user's process, no root). */
  envKeys: string[] | null;
  /** Values of the allowlisted, never secret, variables (HOME, OPENCLAW_STATE_DIR, ...). */
  env: Record<string, string>;
}

export interface ListenSocket {
  address: string;
  inode: number;
}

export type SupervisorName = 'supervisord' | 'runit' | 'pm2' | 's6' | 'daemontools';
export type ContainerRuntime = 'docker' | 'podman';

/** How the gateway process is started and stopped. Plain data: it travels in workflow history. */
export type ManagerRef =
  | { kind: 'none' }
  | { kind: 'respond'; pid: number }
  | {
      kind: 'bare';
      pid: number;
      /** What it was started from: `tmux`, `screen`, `shell`, `detached` (nohup or setsid, re-parented to init). */
      via: string;
      /** `recorded` when the process still shows its command line; `reconstructed` when it retitled itself. */
      argv: 'recorded' | 'reconstructed';
    }
  | { kind: 'systemd-system'; unit: string; pid: number }
  | { kind: 'systemd-user'; unit: string; uid: number; user: string | null; pid: number }
  | { kind: 'docker'; runtime: ContainerRuntime; container: string | null; pid: number | null }
  | {
      kind: 'openclaw-fleet';
      runtime: ContainerRuntime;
      tenant: string;
      container: string;
      /** The state dir of the `openclaw fleet` that owns the cell (its registry lives there). */
      ownerStateDir: string | null;
    }
  | {
      kind: 'supervised-other';
      supervisor: SupervisorName;
      /** The supervisor's name for the program (supervisord program, runit service, pm2 id). */
      name: string | null;
      /** Where the supervisor is controlled from: supervisord's config file, runit's service dir, PM2_HOME. */
      control: string | null;
      pid: number;
    }
  | { kind: 'unknown'; reason: string; pid: number | null };

export type ManagerKind = ManagerRef['kind'];

export interface GatewayDiscovery {
  port: number;
  listening: ListenSocket[];
  /** From the live sockets: `loopback` only when every one is 127.0.0.0/8 or ::1. */
  bind: 'none' | 'loopback' | 'wildcard' | 'other';
  /** The top-most OpenClaw process (2026.1.x runs a launcher plus an `openclaw-gateway` child). */
  gateway: ProcInfo | null;
  /** From the socket's owner up to, not including, init. */
  chain: ProcInfo[];
  pidfilePid: number | null;
  manager: ManagerRef;
  /** State as the gateway process sees it (its own HOME and OpenClaw variables). */
  seen: { home?: string; stateDir?: string; configPath?: string; profile?: string; user?: string };
}
