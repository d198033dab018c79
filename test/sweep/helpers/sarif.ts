/** Validates SARIF against the official 2.1.0 JSON schema (shipped in Microsoft's sarif-js-sdk package). Its `language` pattern is not valid under the u flag, hence unicodeRegExp: false. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

let validator: ((doc: unknown) => boolean) & { errors?: unknown } | undefined;

export function sarifErrors(doc: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
    (addFormats as unknown as (a: Ajv04) => void)(ajv);
    validator = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  }
  return validator(doc) ? [] : (validator.errors as Array<{ instancePath: string; message?: string }>).map((e) => `${e.instancePath} ${e.message}`);
}
