/**
 * The programs the tests drive (OpenClaw above all, whose code checks VITEST in hundreds of
 * places) must see the environment of a real host, not of a test runner: drop vitest's markers
 * before anything is spawned.
 */
for (const key of Object.keys(process.env)) {
  if (key === 'VITEST' || key.startsWith('VITEST_') || key === 'TEST') delete process.env[key];
}
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;

// What the environment can no longer say: this process runs test files (test/helpers/sandbox.ts
// scans for secrets only then; the benches reuse its sandboxes).
(globalThis as { respondTestFile?: boolean }).respondTestFile = true;
