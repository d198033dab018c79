/** Bundles the workflow code once at build time (dist/workflow-bundle.js). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { projectRoot } from '../lib/project-root.js';

const root = projectRoot();
const { code } = await bundleWorkflowCode({
  workflowsPath: join(root, 'dist', 'workflows', 'index.js'),
  logger: new DefaultLogger('WARN'),
});
await writeFile(join(root, 'dist', 'workflow-bundle.js'), code);
console.log(`wrote dist/workflow-bundle.js (${Math.round(code.length / 1024)} KiB)`);
