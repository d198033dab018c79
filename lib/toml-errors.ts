/** TOML with an error a person can act on: `file:line:col: invalid TOML: message`, one line. */
import { parse as parseToml, TomlError } from 'smol-toml';
import { UserError } from './errors.js';

export function parseTomlText(text: string, file: string): unknown {
  try {
    return parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) throw new UserError(`${file}:${e.line}:${e.column}: invalid TOML: ${e.message.trim().split('\n')[0] ?? ''}`);
    throw e;
  }
}
