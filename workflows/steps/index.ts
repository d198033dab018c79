/**
 * The step kinds respond knows. Adding one: a module in this folder, plus one line here. The
 * runbook schema and the interpreter's dispatch both derive from this table; a host-scoped kind
 * (`scope: 'host'`) is fanned out over the fleet by the interpreter.
 */
import { approvalStep } from './approval.js';
import { containPlanStep, containStep } from './contain.js';
import { evidenceStep } from './evidence.js';
import { execStep } from './exec.js';
import { factsStep } from './facts.js';
import { gatewayStep } from './gateway.js';
import { rotateStep } from './rotate.js';
import { memoryPlanStep } from './memory-plan.js';
import { hardenStep } from './harden.js';
import { postureStep } from './posture.js';
import { postureRecordStep } from './posture-record.js';
import { quarantineSkillsStep } from './quarantine-skills.js';
import { restoreMemoryStep } from './restore-memory.js';
import { scrubStep } from './scrub.js';
import { scrubStaleStep } from './scrub-stale.js';
import { skillsPlanStep } from './skills-plan.js';
import { snapshotStep } from './snapshot.js';
import { sweepStep } from './sweep.js';
import { upgradePlanStep, upgradeStep } from './upgrade.js';
import { verifyStep } from './verify.js';
import { waitStep } from './wait.js';

export const stepKinds = {
  approval: approvalStep,
  exec: execStep,
  wait: waitStep,
  facts: factsStep,
  gateway: gatewayStep,
  'upgrade-plan': upgradePlanStep,
  upgrade: upgradeStep,
  sweep: sweepStep,
  scrub: scrubStep,
  'scrub-stale': scrubStaleStep,
  rotate: rotateStep,
  'contain-plan': containPlanStep,
  contain: containStep,
  evidence: evidenceStep,
  snapshot: snapshotStep,
  'memory-plan': memoryPlanStep,
  'restore-memory': restoreMemoryStep,
  'skills-plan': skillsPlanStep,
  'quarantine-skills': quarantineSkillsStep,
  verify: verifyStep,
  posture: postureStep,
  'posture-record': postureRecordStep,
  harden: hardenStep,
} as const;

export type StepKindName = keyof typeof stepKinds;
