export { runbookWorkflow } from './runbook.js';
