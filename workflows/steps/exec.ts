/** `exec`: run a command on the worker's host, with a timeout, output captured and redacted. */
import { ApplicationFailure } from '@temporalio/workflow';
import { z } from 'zod';
import { parseDuration } from '../../lib/duration.js';
import { renderForPlan } from '../../lib/runbook/plan.js';
import { baseStep, durationText, type PlanContext } from '../../lib/runbook/step-base.js';
import { renderTemplate } from '../../lib/template.js';
import { activities, hostEffect } from '../activity-options.js';
import type { StepKind, StepRunContext } from './types.js';

const command = z.object({
  command: z.array(z.string()).min(1, 'command needs at least the program').optional(),
  shell: z.string().min(1).optional(),
});

const schema = baseStep
  .extend({
    kind: z.literal('exec'),
    cwd: z.string().optional(),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    timeout: durationText.default('5m'),
    /** Run if a later step fails, to undo this one. */
    rollback: command.strict().optional(),
  })
  .merge(command)
  .strict()
  .refine((s) => (s.command === undefined) !== (s.shell === undefined), {
    message: 'give exactly one of command (a list) or shell (a string)',
    path: ['command'],
  });

export type ExecStep = z.infer<typeof schema>;

function argv(c: { command?: string[]; shell?: string }): string[] {
  return c.command ?? ['/bin/sh', '-c', c.shell!];
}

function describe(step: ExecStep, ctx: PlanContext): Record<string, unknown> {
  return {
    host: 'local',
    command: argv(step).map((a) => renderForPlan(a, ctx)),
    cwd: step.cwd,
    env: step.env && Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, renderForPlan(v, ctx)])),
    timeout: step.timeout,
    rollback: step.rollback && argv(step.rollback).map((a) => renderForPlan(a, ctx)),
  };
}

async function runCommand(key: string, cmd: string[], step: ExecStep, ctx: StepRunContext, summary: string) {
  const timeoutMs = parseDuration(step.timeout);
  return activities.runCommand.executeWithOptions(hostEffect(timeoutMs, summary), [
    {
      effectKey: key,
      command: cmd.map((a) => renderTemplate(a, ctx.plan)),
      cwd: step.cwd,
      env: step.env && Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, renderTemplate(v, ctx.plan)])),
      timeoutMs,
      secretRefs: ctx.secretRefs,
    },
  ]);
}

export const execStep: StepKind<ExecStep> = {
  schema,
  scope: 'runbook',
  alwaysGated: false,
  describe,
  compensationFor(step, ctx) {
    const rollback = step.rollback;
    return rollback && {
      description: `rollback of ${step.id}`,
      run: async () => {
        const undo = await runCommand(`${ctx.workflowId}/${step.id}/rollback`, argv(rollback), step, ctx, `rollback ${step.id}`);
        if (undo.exitCode !== 0) throw new Error(`rollback of ${step.id} exited with ${undo.exitCode}`);
      },
    };
  },
  async run(step, ctx) {
    const res = await runCommand(`${ctx.workflowId}/${step.id}`, argv(step), step, ctx, `exec ${step.id}`);
    const result = {
      exitCode: res.exitCode,
      timedOut: res.timedOut,
      durationMs: res.durationMs,
      stdoutTail: res.stdoutTail,
      stderrTail: res.stderrTail,
    };
    if (res.exitCode !== 0) {
      const why = res.timedOut ? `timed out after ${step.timeout}` : `exited with ${res.exitCode}`;
      const firstLine = res.stderrTail.trim().split('\n').pop() ?? '';
      throw ApplicationFailure.nonRetryable(
        `step ${step.id}: command ${why}${firstLine ? `: ${firstLine.slice(0, 200)}` : ''}`,
        'StepFailed',
        result,
      );
    }
    return { summary: `exit 0 in ${res.durationMs} ms`, result, compensation: execStep.compensationFor!(step, ctx) };
  },
};
