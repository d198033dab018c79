export { runbookWorkflow } from './runbook.js';
export { hostWorkflow } from './host.js';
