import { ensureOpenclaw } from '../test/fixtures/openclaw.js';
await ensureOpenclaw('2026.9.6'); await ensureOpenclaw('2026.1.29');
console.log('ok');
