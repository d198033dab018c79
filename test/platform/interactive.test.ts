/**
 * `respond start` on a real terminal (tmux): it follows the run and asks the operator to approve
 * each gated step inline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, Sandbox } from '../helpers/sandbox.js';

describe('interactive start on a terminal', () => {
  let s: Sandbox;
  const session = `respond-${process.pid}`;
  const tmux = (...args: string[]) => execa('tmux', args);
  const screen = async () => (await tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session)).stdout;

  beforeAll(async () => {
    s = await Sandbox.create({ RESPOND_ACTOR: 'alice' });
  });
  afterAll(async () => {
    await tmux('kill-session', '-t', session).catch(() => undefined);
    await s?.stop();
  });

  it('prompts for each approval and finishes when the operator says yes', async () => {
    const marker = join(s.dir, 'marker');
    const env = Object.entries({ ...s.env, CI: '', TEMPORAL_ADDRESS: '' })
      .map(([k, v]) => `${k}='${v}'`)
      .join(' ');
    const command = `env ${env} ${process.execPath} ${CLI} start example --incident tty --set marker=${marker}; echo EXIT=$?; sleep 600`;
    await tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', command);

    await s.waitFor('first prompt', async () => ((await screen()).includes('approve step go-ahead as alice? [y/N]') ? true : undefined));
    expect(await screen()).toContain(`message: Write the marker ${marker} for incident tty?`);
    await tmux('send-keys', '-t', session, 'y', 'Enter');

    await s.waitFor('second prompt', async () => ((await screen()).includes('approve step write-marker as alice? [y/N]') ? true : undefined));
    await tmux('send-keys', '-t', session, 'y', 'Enter');

    await s.waitFor('the run to end', async () => ((await screen()).includes('EXIT=') ? true : undefined));
    const text = await screen();
    expect(text).toContain('EXIT=0');
    expect(text).toMatch(/incident tty\s+completed/);
    expect(readFileSync(marker, 'utf8')).toBe('respond tty\n');
    const approvals = s.audit().filter((e) => e.event === 'approval.granted').map((e) => [e.step, e.actor]);
    expect(approvals).toEqual([
      ['go-ahead', 'alice'],
      ['write-marker', 'alice'],
    ]);
  });
});
