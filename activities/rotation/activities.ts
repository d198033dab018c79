/**
 * Rotation activities, one per phase. Each reads and advances the credential's vault record, so
 * a retry after a worker died mid-phase resumes from what the record says happened: a value is
 * never issued twice, an installed one is installed again (idempotent) and tested.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { HostSpec } from '../../lib/inventory/schema.js';
import type { RotationView } from '../../lib/rotation/types.js';
import { fingerprint } from '../../lib/secrets.js';
import { asActivity } from '../hosts/failures.js';
import { createTransport } from '../hosts/transports/index.js';
import { getPath } from '../openclaw/config.js';
import { openOpenclawHost, type OpenclawHost } from '../openclaw/host.js';
import { awsIamAccessKey } from './providers/aws-iam-access-key.js';
import { openclawGateway } from './providers/openclaw-gateway.js';
import { openclawSkillKey } from './providers/openclaw-skill-key.js';
import type { CredentialValue, RotationProvider } from './providers/types.js';
import { rotationDir, RotationVault, viewOf, type RotationRecord } from './vault.js';

interface Resolved {
  p: RotationProvider<unknown>;
  cfg: unknown;
}

/** `gateway` is every host's own; other names come from the host's `credentials:` in the inventory. */
export function providerFor(host: HostSpec, credential: string): Resolved {
  if (credential === 'gateway') return { p: openclawGateway as RotationProvider<unknown>, cfg: null };
  const cfg = host.credentials?.[credential];
  if (!cfg) {
    const known = ['gateway', ...Object.keys(host.credentials ?? {})].join(', ');
    throw ApplicationFailure.nonRetryable(`host ${host.name} has no credential "${credential}" (known: ${known}; add it under the host's credentials: in the inventory)`, 'UnknownCredential');
  }
  return { p: (cfg.provider === 'openclaw-skill-key' ? openclawSkillKey : awsIamAccessKey) as RotationProvider<unknown>, cfg };
}

export interface CreateInput {
  host: HostSpec;
  credential: string;
  /** The host's child workflow id: one rotation per credential, host and run. */
  runKey: string;
  incident: string;
  overlapMs: number;
}

export interface RotationStatus extends RotationView {
  hostVersion: string | null;
  /** Where stale copies are hunted beyond OpenClaw's default scope: the gateway's home and log dir. */
  huntPaths?: string[];
}

export function createRotationActivities(deps: { stateDir: string }) {
  const vault = new RotationVault(rotationDir(deps.stateDir));
  const withHost = async <T>(host: HostSpec, fn: (h: OpenclawHost) => Promise<T>): Promise<T> => {
    const h = await openOpenclawHost(host, createTransport(host));
    try {
      return await fn(h);
    } finally {
      await h.t.close();
    }
  };
  const status = (key: string, hostVersion: string | null, h?: OpenclawHost): RotationStatus => ({
    ...viewOf(vault.get(key)!),
    hostVersion,
    ...(h ? { huntPaths: huntPaths(h) } : {}),
  });
  const valueOf = (rec: RotationRecord, which: 'old' | 'new'): CredentialValue => ({
    value: vault.value(rec.key, which),
    ...(rec.ids?.[which] ? { id: rec.ids[which] } : {}),
  });
  const promote = (key: string, version: string | null): RotationStatus => {
    vault.advance(key, 'promoted', (r) => {
      r.overlapEnds = new Date(Date.now() + r.overlapMs).toISOString();
    });
    return status(key, version);
  };

  return {
    /** Create: the intent is recorded before the issue call and the result right after it. */
    async rotationCreate(input: CreateInput): Promise<RotationStatus> {
      return asActivity(() =>
        withHost(input.host, async (h) => {
          const key = RotationVault.keyOf(input.runKey, input.credential);
          const version = h.pkg?.version ?? null;
          const { p, cfg } = providerFor(input.host, input.credential);
          let rec = vault.get(key);
          if (rec && rec.state !== 'creating') return status(key, version, h);
          const interruptedAt = rec?.times.creating;
          const old = rec ? valueOf(rec, 'old') : await p.current(h, cfg);
          if (!rec) {
            const now = new Date().toISOString();
            rec = vault.put({
              key,
              provider: p.name,
              credential: input.credential,
              host: input.host.name,
              run: input.runKey,
              incident: input.incident,
              state: 'creating',
              fingerprints: { old: fingerprint(old.value), new: '' },
              ...(old.id ? { ids: { old: old.id } } : {}),
              times: { created: now, creating: now },
              overlapKind: p.overlapKind,
              overlapMs: p.overlapKind === 'cut-over' ? 0 : input.overlapMs,
              notes: [],
              values: { old: old.value },
            });
          }
          const next = await p.issue(cfg, old, interruptedAt);
          vault.advance(key, 'pending', (r) => {
            r.fingerprints.new = fingerprint(next.value);
            if (next.id) r.ids = { ...r.ids, new: next.id };
            r.values = { ...r.values, new: next.value };
          });
          return status(key, version, h);
        }),
      );
    },

    /** Set and test: deliver the new value, install it, prove it; on a failed proof put the old one back. */
    async rotationSet(input: { host: HostSpec; key: string; tokenFile?: string }): Promise<RotationStatus> {
      return asActivity(() =>
        withHost(input.host, async (h) => {
          const rec = vault.get(input.key);
          if (!rec) throw ApplicationFailure.nonRetryable(`no pending rotation ${input.key}: its create step did not run`, 'NoRotation');
          const version = h.pkg?.version ?? null;
          if (['promoted', 'revoked', 'finished'].includes(rec.state)) return status(input.key, version);
          // Tested but not promoted: the worker died between the two; the proof already stands.
          if (rec.state === 'tested') return promote(input.key, version);
          if (rec.state === 'abandoned') throw ApplicationFailure.nonRetryable(`rotation of ${rec.credential} on ${rec.host} was abandoned: ${rec.notes.at(-1) ?? ''}`, 'Abandoned');
          const { p, cfg } = providerFor(input.host, rec.credential);
          const next = valueOf(rec, 'new');
          const old = valueOf(rec, 'old');
          h.t.addSecrets([next.value, old.value]);
          // Delivered before the cut-over, so the operator can never be left without the new value.
          if (input.tokenFile) {
            const path = deliver(vault, rec.key, input.tokenFile, next.value);
            vault.update(input.key, (r) => void (r.deliveredTo = path));
          }
          await p.install(h, cfg, next);
          vault.advance(input.key, 'installed');
          const proof = await p.test(h, cfg, next, old);
          if (!proof.ok) {
            await p.install(h, cfg, old);
            const back = await p.test(h, cfg, old, next);
            await p.discard(cfg, next);
            vault.advance(input.key, 'abandoned', (r) => {
              r.notes.push(`test failed (${proof.detail}); old value reinstalled (${back.detail})`);
              delete r.values;
            });
            throw ApplicationFailure.nonRetryable(
              `the new ${rec.credential} failed its test on ${rec.host} (${proof.detail}); the old one was put back (${back.ok ? 'it works' : back.detail})`,
              'RotationTestFailed',
            );
          }
          vault.advance(input.key, 'tested', (r) => r.notes.push(`tested: ${proof.detail}`));
          return promote(input.key, version);
        }),
      );
    },

    /** Undo before promotion: the pending value goes (from the host and the service), the old one stays. */
    async rotationAbandon(input: { host: HostSpec; key: string; reason: string }): Promise<RotationStatus | null> {
      return asActivity(async () => {
        const rec = vault.get(input.key);
        if (!rec || !['creating', 'pending', 'installed'].includes(rec.state)) return rec ? status(input.key, null) : null;
        const { p, cfg } = providerFor(input.host, rec.credential);
        if (rec.state === 'installed') await withHost(input.host, (h) => p.install(h, cfg, valueOf(rec, 'old')));
        if (rec.values?.new !== undefined) await p.discard(cfg, valueOf(rec, 'new'));
        vault.advance(input.key, 'abandoned', (r) => {
          r.notes.push(`abandoned (${rec.state === 'installed' ? 'old value reinstalled' : 'nothing installed'}): ${input.reason}`);
          delete r.values;
        });
        return status(input.key, null);
      });
    },

    /** Finish: end the old value at the service and prove it refused. */
    async rotationRevoke(input: { host: HostSpec; key: string; devices?: 'revoke' | 'keep' }): Promise<RotationStatus> {
      return asActivity(() =>
        withHost(input.host, async (h) => {
          const rec = vault.get(input.key);
          if (!rec) throw ApplicationFailure.nonRetryable(`no rotation ${input.key}`, 'NoRotation');
          if (rec.state === 'revoked' || rec.state === 'finished') return status(input.key, h.pkg?.version ?? null);
          const { p, cfg } = providerFor(input.host, rec.credential);
          const old = valueOf(rec, 'old');
          h.t.addSecrets([old.value, vault.value(input.key, 'new')]);
          const proof = await p.revoke(h, cfg, old);
          if (!proof.ok) throw new Error(`the old ${rec.credential} on ${rec.host} is still accepted: ${proof.detail}`);
          const notes = [`revoked: ${proof.detail}`];
          if (p.revokeIssuedUnder && input.devices !== 'keep') {
            const cutover = Date.parse(rec.times.installed ?? rec.times.tested ?? rec.times.promoted ?? '');
            const derived = await p.revokeIssuedUnder(h, cfg, Number.isNaN(cutover) ? Date.now() : cutover);
            if (!derived.ok) throw new Error(`host ${rec.host}: ${derived.detail}`);
            notes.push(derived.detail);
          }
          vault.advance(input.key, 'revoked', (r) => r.notes.push(...notes));
          return status(input.key, h.pkg?.version ?? null);
        }),
      );
    },

    /** The values leave the vault; fingerprints and times stay as the credential's record. */
    async rotationFinish(input: { key: string }): Promise<RotationStatus> {
      return asActivity(async () => {
        vault.advance(input.key, 'finished', (r) => delete r.values);
        return status(input.key, null);
      });
    },

    async rotationRecords(): Promise<RotationView[]> {
      return vault.all().map(viewOf);
    },
  };
}

function huntPaths(h: OpenclawHost): string[] {
  const logFile = getPath(h.rawConfig, ['logging', 'file']);
  return [h.home, ...(typeof logFile === 'string' && logFile.startsWith('/') ? [posix.dirname(logFile)] : [])];
}

/** Writes the new value to a worker-side file, 0600, refusing a file another host's rotation owns. */
function deliver(vault: RotationVault, key: string, file: string, value: string): string {
  const path = file.startsWith('~/') ? join(homedir(), file.slice(2)) : file;
  if (!isAbsolute(path)) throw ApplicationFailure.nonRetryable(`tokenFile ${file}: use an absolute path (the worker writes it)`, 'BadTokenFile');
  const owner = vault.all().find((r) => r.key !== key && r.deliveredTo === path && r.values?.new !== undefined);
  if (owner && existsSync(path) && readFileSync(path, 'utf8').trim() === owner.values!.new) {
    throw ApplicationFailure.nonRetryable(`tokenFile ${path} already holds the new ${owner.credential} of ${owner.host}; give each host its own file (use {{host}} in the path)`, 'TokenFileTaken');
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, value + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
