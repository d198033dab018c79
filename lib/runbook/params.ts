/** `--set name=value` flags, checked against the parameters a runbook declares. */
import { UserError } from '../errors.js';
import type { ParamValue } from '../template.js';
import type { ParamSpec, RunbookSpec } from '../../workflows/runbook-schema.js';

export function parseSetFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UserError(`--set ${flag}: expected name=value`);
    const name = flag.slice(0, eq);
    if (name in out) throw new UserError(`--set ${name}: given twice`);
    out[name] = flag.slice(eq + 1);
  }
  return out;
}

export function resolveParams(spec: RunbookSpec, given: Record<string, string>): Record<string, ParamValue> {
  const declared = Object.keys(spec.params);
  for (const name of Object.keys(given)) {
    if (!(name in spec.params)) {
      const known = declared.length ? declared.join(', ') : 'none';
      throw new UserError(`--set ${name}: runbook ${spec.name} has no such parameter (known: ${known})`);
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const [name, p] of Object.entries(spec.params)) {
    if (name in given) out[name] = coerce(name, given[name]!, p);
    else if (p.default !== undefined) out[name] = p.default;
    else if (p.required) throw new UserError(`parameter ${name} is required: pass --set ${name}=...`);
  }
  return out;
}

function coerce(name: string, text: string, p: ParamSpec): ParamValue {
  let value: ParamValue = text;
  if (p.type === 'number') {
    value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new UserError(`--set ${name}=${text}: expected a number`);
  } else if (p.type === 'boolean') {
    if (text !== 'true' && text !== 'false') throw new UserError(`--set ${name}=${text}: expected true or false`);
    value = text === 'true';
  }
  if (p.pattern !== undefined && !new RegExp(`^(?:${p.pattern})$`).test(text)) {
    throw new UserError(`--set ${name}=${text}: does not match the pattern ${p.pattern}`);
  }
  if (p.enum !== undefined && !p.enum.map(String).includes(text)) {
    throw new UserError(`--set ${name}=${text}: must be one of ${p.enum.join(', ')}`);
  }
  return value;
}
