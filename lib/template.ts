/**
 * `{{params.NAME}}`, `{{incident}}`, `{{runbook}}` are filled in by the workflow; `{{secrets.NAME}}`
 * is left in place there and only filled in by the activity that needs the value, so a secret
 * never enters workflow history.
 */
export type ParamValue = string | number | boolean;

export interface TemplateContext {
  params: Record<string, ParamValue>;
  incident: string;
  runbook: string;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][\w.-]*)\s*\}\}/g;
export const SECRET_PLACEHOLDER = /\{\{\s*secrets\.([a-zA-Z_][\w-]*)\s*\}\}/g;
/** A whole value that is exactly one secret placeholder. */
export const ONLY_SECRET_PLACEHOLDER = new RegExp(`^${SECRET_PLACEHOLDER.source}$`);

export function renderTemplate(text: string, ctx: TemplateContext): string {
  return text.replace(PLACEHOLDER, (whole, path: string) => {
    if (path.startsWith('secrets.')) return whole;
    if (path === 'incident') return ctx.incident;
    if (path === 'runbook') return ctx.runbook;
    if (path.startsWith('params.')) {
      const name = path.slice('params.'.length);
      if (!(name in ctx.params)) throw new Error(`unknown parameter "${name}" in "${text}"`);
      return String(ctx.params[name]);
    }
    throw new Error(`unknown placeholder "{{${path}}}" (use params.NAME, secrets.NAME, incident or runbook)`);
  });
}

/** Names of the secrets a string refers to, in order of first use. */
export function secretNamesIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(SECRET_PLACEHOLDER)) if (!names.includes(m[1]!)) names.push(m[1]!);
  return names;
}

/** Replaces each `{{secrets.NAME}}` with what `show(name)` returns: a fingerprint in plans, the value in an activity. */
export function fillSecrets(text: string, show: (name: string) => string): string {
  return text.replace(SECRET_PLACEHOLDER, (_whole, name: string) => show(name));
}
