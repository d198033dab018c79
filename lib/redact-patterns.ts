/**
 * Last-line redaction for command output: shapes of well-known credentials, replaced by their
 * fingerprint. Known values are redacted exactly before this runs; this catches the unknown ones.
 */
import { fingerprint } from './secrets.js';

const TOKEN_SHAPES: RegExp[] = [
  /\bsk-ant-[A-Za-z0-9_-]{20,}/g, // Anthropic
  /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, // OpenAI
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g, // GitHub
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** `Bearer x`, `token=x`, `"apiKey": "x"` and the like: keep the key, hide the value. */
const ASSIGNMENT =
  /((?:bearer\s+|(?:token|secret|password|passwd|api[_-]?key|apikey)["']?\s*[:=]\s*["']?))([A-Za-z0-9+/_.~-]{12,})/gi;

export function redactTokenShapes(text: string): string {
  let out = text;
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, (m) => `[redacted ${fingerprint(m)}]`);
  return out.replace(ASSIGNMENT, (_m, key: string, value: string) => `${key}[redacted ${fingerprint(value)}]`);
}
