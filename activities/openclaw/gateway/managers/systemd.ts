/**
 * A gateway run as a systemd unit (`openclaw gateway install` writes a user unit). A user unit
 * of respond's own user needs that user's XDG_RUNTIME_DIR (an SSH command may not have one); a
 * user unit of another user goes through `--machine <user>@`.
 */
import type { OpenclawHost } from '../../host.js';
import type { ManagerRef } from '../types.js';
import { verbManager } from './types.js';
import { runManagerCommand } from './run.js';

type SystemRef = Extract<ManagerRef, { kind: 'systemd-system' }>;
type UserRef = Extract<ManagerRef, { kind: 'systemd-user' }>;

async function hostUid(h: OpenclawHost): Promise<number> {
  const r = await h.t.run('id', ['-u'], { timeoutMs: 10_000 });
  return Number(r.stdout.trim());
}

async function systemctl(h: OpenclawHost, ref: SystemRef | UserRef, verb: 'stop' | 'start'): Promise<void> {
  if (ref.kind === 'systemd-system') {
    await runManagerCommand(h, 'systemctl', [verb, ref.unit]);
  } else if ((await hostUid(h)) === ref.uid || !ref.user) {
    await runManagerCommand(h, 'systemctl', ['--user', verb, ref.unit], { env: { XDG_RUNTIME_DIR: `/run/user/${ref.uid}` } });
  } else {
    await runManagerCommand(h, 'systemctl', ['--user', '--machine', `${ref.user}@`, verb, ref.unit]);
  }
}

function describe(ref: SystemRef | UserRef, verb: 'stop' | 'start'): string {
  return ref.kind === 'systemd-system'
    ? `systemctl ${verb} ${ref.unit}`
    : `systemctl --user ${verb} ${ref.unit} (as ${ref.user ?? `uid ${ref.uid}`}; --machine ${ref.user ?? ref.uid}@ from another user)`;
}

const commands = (_h: OpenclawHost, ref: SystemRef | UserRef) => ({ stop: describe(ref, 'stop'), start: describe(ref, 'start') });

export const systemdSystemManager = verbManager('systemd-system', commands, systemctl);
export const systemdUserManager = verbManager('systemd-user', commands, systemctl);
