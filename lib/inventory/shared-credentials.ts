/**
 * One IAM user's access keys are one credential however many hosts read them: the user holds at
 * most two keys, so hosts rotating it apart would fight over the second. The loader marks every
 * such credential with the hosts that consume it; `rotate` creates the new key once, installs it
 * on each consumer, and deletes the old one only when every consumer has switched.
 */
import { UserError } from '../errors.js';
import type { AwsIamCredential, Inventory } from './schema.js';

/** The identity of an IAM user's keys: the user at an endpoint (AWS itself when unset). */
export function iamIdentity(c: Pick<AwsIamCredential, 'iamUser' | 'endpoint'>): string {
  return `iam:${c.endpoint ?? 'aws'}:${c.iamUser}`;
}

export function markSharedCredentials(inv: Inventory, file: string): void {
  const readers = new Map<string, Set<string>>();
  const files = new Map<string, Set<string>>();
  const names = new Map<string, { name: string; host: string }>();
  for (const h of inv.hosts) {
    for (const [name, c] of Object.entries(h.credentials ?? {})) {
      if (c.provider !== 'aws-iam-access-key') continue;
      const id = iamIdentity(c);
      const first = names.get(id);
      // One credential, one name: a run selects it by name on every host that reads it.
      if (first && first.name !== name) {
        throw new UserError(`${file}: hosts ${first.host} (${first.name}) and ${h.name} (${name}) read the keys of IAM user ${c.iamUser} under different names; use one name for one credential`);
      }
      names.set(id, first ?? { name, host: h.name });
      readers.set(id, (readers.get(id) ?? new Set()).add(h.name));
      files.set(id, (files.get(id) ?? new Set()).add(c.file));
    }
  }
  for (const h of inv.hosts) {
    for (const c of Object.values(h.credentials ?? {})) {
      if (c.provider !== 'aws-iam-access-key') continue;
      const hosts = [...readers.get(iamIdentity(c))!];
      if (hosts.length > 1) {
        c.consumers = hosts;
        c.consumerFiles = [...files.get(iamIdentity(c))!];
      } else {
        delete c.consumers;
        delete c.consumerFiles;
      }
    }
  }
}
