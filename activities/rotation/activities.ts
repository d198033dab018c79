/**
 * Rotation activities, one per phase. Each reads and advances the credential's vault record, so
 * a retry after a worker died mid-phase resumes from what the record says happened: a pending
 * value is never issued twice, an installed one is installed again (idempotent) and tested.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { HostSpec } from '../../lib/inventory/schema.js';
import type { RotationView } from '../../lib/rotation/types.js';
import { asActivity } from '../hosts/failures.js';
import { createTransport } from '../hosts/transports/index.js';
import { getPath } from '../openclaw/config.js';
import { openOpenclawHost, type OpenclawHost } from '../openclaw/host.js';
import { openclawGateway } from './providers/openclaw-gateway.js';
import type { RotationProvider } from './providers/types.js';
import { fingerprints, rotationDir, RotationVault, viewOf } from './vault.js';

const PROVIDERS: Record<string, RotationProvider> = { gateway: openclawGateway };

function providerFor(credential: string): RotationProvider {
  const p = PROVIDERS[credential];
  if (!p) throw ApplicationFailure.nonRetryable(`credential "${credential}" has no provider here (supported: ${Object.keys(PROVIDERS).join(', ')})`, 'UnknownCredential');
  return p;
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
  const open = (host: HostSpec): Promise<OpenclawHost> => openOpenclawHost(host, createTransport(host));
  const withHost = async <T>(host: HostSpec, fn: (h: OpenclawHost) => Promise<T>): Promise<T> => {
    const h = await open(host);
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

  const promote = (key: string, version: string | null): RotationStatus => {
    vault.advance(key, 'promoted', (r) => {
      r.overlapEnds = new Date(Date.now() + r.overlapMs).toISOString();
    });
    return status(key, version);
  };

  return {
    /** Create: issue the new value and record it as pending before anything else sees it. */
    async rotationCreate(input: CreateInput): Promise<RotationStatus> {
      return asActivity(() =>
        withHost(input.host, async (h) => {
          const key = RotationVault.keyOf(input.runKey, input.credential);
          const version = h.pkg?.version ?? null;
          if (vault.get(key)) return status(key, version, h);
          const p = providerFor(input.credential);
          const old = await p.current(h);
          const next = await p.issue();
          vault.put({
            key,
            provider: p.name as RotationView['provider'],
            credential: input.credential,
            host: input.host.name,
            run: input.runKey,
            incident: input.incident,
            state: 'pending',
            fingerprints: fingerprints(old, next),
            times: { created: new Date().toISOString(), pending: new Date().toISOString() },
            overlapKind: p.overlapKind,
            overlapMs: p.overlapKind === 'cut-over' ? 0 : input.overlapMs,
            notes: [],
            values: { old, new: next },
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
          const p = providerFor(rec.credential);
          const next = vault.value(input.key, 'new');
          const old = vault.value(input.key, 'old');
          h.t.addSecrets([next, old]);
          // Delivered before the cut-over, so the operator can never be left without the new value.
          if (input.tokenFile) {
            const path = deliver(vault, rec.key, input.tokenFile, next);
            vault.update(input.key, (r) => void (r.deliveredTo = path));
          }
          await p.install(h, next);
          vault.advance(input.key, 'installed');
          const proof = await p.test(h, next, old);
          if (!proof.ok) {
            await p.install(h, old);
            const back = await p.test(h, old, next);
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

    /** Undo before promotion: the pending value goes, the old one stays (or is put back). */
    async rotationAbandon(input: { host: HostSpec; key: string; reason: string }): Promise<RotationStatus | null> {
      return asActivity(async () => {
        const rec = vault.get(input.key);
        if (!rec) return null;
        if (rec.state === 'pending') {
          vault.advance(input.key, 'abandoned', (r) => {
            r.notes.push(`abandoned before install: ${input.reason}`);
            delete r.values;
          });
        } else if (rec.state === 'installed') {
          await withHost(input.host, async (h) => {
            await providerFor(rec.credential).install(h, vault.value(input.key, 'old'));
          });
          vault.advance(input.key, 'abandoned', (r) => {
            r.notes.push(`old value reinstalled: ${input.reason}`);
            delete r.values;
          });
        }
        return status(input.key, null);
      });
    },

    /** Finish: prove the old value is refused by the live service. */
    async rotationProveRevoked(input: { host: HostSpec; key: string }): Promise<RotationStatus> {
      return asActivity(() =>
        withHost(input.host, async (h) => {
          const rec = vault.get(input.key);
          if (!rec) throw ApplicationFailure.nonRetryable(`no rotation ${input.key}`, 'NoRotation');
          if (rec.state === 'revoked' || rec.state === 'finished') return status(input.key, h.pkg?.version ?? null);
          const old = vault.value(input.key, 'old');
          h.t.addSecrets([old, vault.value(input.key, 'new')]);
          const proof = await providerFor(rec.credential).proveRevoked(h, old);
          if (!proof.ok) throw new Error(`the old ${rec.credential} on ${rec.host} is still accepted: ${proof.detail}`);
          vault.advance(input.key, 'revoked', (r) => r.notes.push(`revoked: ${proof.detail}`));
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
