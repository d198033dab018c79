import { redactKnown } from '../../../lib/secrets.js';
import { redactTokenShapes } from '../../../lib/redact-patterns.js';

/** Known values first (exact), then credential shapes as a net for values nobody told us about. */
export class Redactor {
  private readonly secrets = new Set<string>();
  add(values: readonly string[]): void {
    for (const v of values) if (v.length >= 4) this.secrets.add(v);
  }
  redact(text: string): string {
    return redactTokenShapes(redactKnown(text, [...this.secrets]));
  }
  values(): string[] {
    return [...this.secrets];
  }
}
