/**
 * Rotation activities, one per phase. Each reads and advances the credential's vault record, so
 * a retry after a worker died mid-phase resumes from what the record says happened: a value is
 * never issued twice, an installed one is installed again (idempotent) and tested.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { HostSpec } from '../../lib/inventory/schema.js';
import { iamIdentity } from '../../lib/inventory/shared-credentials.js';
import type { RotationView } from '../../lib/rotation/types.js';
import { fingerprint } from '../../lib/secrets.js';
import { asActivity } from '../hosts/failures.js';
import { createTransport } from '../hosts/transports/index.js';
import { huntPaths, openOpenclawHost, type OpenclawHost } from '../openclaw/host.js';
import { expandHome } from '../openclaw/paths.js';
import { awsIamAccessKey } from './providers/aws-iam-access-key.js';
import { withRemoteClients } from './providers/gateway-clients.js';
import { openclawGateway } from './providers/openclaw-gateway.js';
import { openclawAuthProfile, openclawSkillKey } from './providers/openclaw-skill-key.js';
import type { CredentialValue, RotationProvider } from './providers/types.js';
import { holdersOfOld, initialConsumers, progressOf, readersOfNew, runRootOf, serialised, setProgress, sharedBy } from './shared.js';
import { rotationDir, RotationVault, viewOf, type RotationRecord } from './vault.js';

interface Resolved {
  p: RotationProvider<unknown>;
  cfg: unknown;
}

/** `gateway` is every host's own; other names come from the host's `credentials:` in the inventory. */
export function providerFor(host: HostSpec, credential: string): Resolved {
  if (credential === 'gateway') return { p: withRemoteClients(openclawGateway) as RotationProvider<unknown>, cfg: null };
  const cfg = host.credentials?.[credential];
  if (!cfg) {
    const known = ['gateway', ...Object.keys(host.credentials ?? {})].join(', ');
    throw ApplicationFailure.nonRetryable(`host ${host.name} has no credential "${credential}" (known: ${known}; add it under the host's credentials: in the inventory)`, 'UnknownCredential');
  }
  const p = { 'aws-iam-access-key': awsIamAccessKey, 'openclaw-skill-key': openclawSkillKey, 'openclaw-auth-profile': openclawAuthProfile }[cfg.provider];
  return { p: p as RotationProvider<unknown>, cfg };
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
  /** A shared value still in use elsewhere: consumer files here the scrub must leave alone (same machine, same home). */
  keepPaths?: string[];
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
  /** A consumer's view of a shared record: its own overlap, from when it switched. */
  const consumerStatus = (key: string, host: string, version: string | null, h?: OpenclawHost): RotationStatus => {
    const st = status(key, version, h);
    const at = st.consumers?.[host]?.state === 'installed' ? st.consumers[host]!.at : undefined;
    return at ? { ...st, overlapEnds: new Date(Date.parse(at) + st.overlapMs).toISOString() } : st;
  };
  /** Another host of the run created the shared value: this one joins, reading the old (or already the new) key. */
  const attach = async (rec: RotationRecord, h: OpenclawHost, p: RotationProvider<unknown>, cfg: unknown): Promise<RotationStatus> => {
    const host = h.spec.name;
    if (rec.state === 'abandoned') throw ApplicationFailure.nonRetryable(`the shared ${rec.credential} rotation of this run was abandoned: ${rec.notes.at(-1) ?? ''}`, 'Abandoned');
    const progress = progressOf(rec, host);
    if (progress.state === 'waiting') {
      const cur = await p.current(h, cfg);
      if (cur.id !== rec.ids?.old && cur.id !== rec.ids?.new) {
        throw ApplicationFailure.nonRetryable(`host ${host} reads access key ${cur.id ?? '?'}, neither the old (${rec.ids?.old}) nor the new key of the shared ${rec.credential}`, 'NotAConsumer');
      }
      vault.update(rec.key, (r) => setProgress(r, host, 'attached'));
    }
    return consumerStatus(rec.key, host, h.pkg?.version ?? null, h);
  };
  const promote = (key: string, version: string | null): RotationStatus => {
    vault.advance(key, 'promoted', (r) => {
      r.overlapEnds = new Date(Date.now() + r.overlapMs).toISOString();
    });
    return status(key, version);
  };

  /** Set on one consumer of a shared value: install and test it here; the first success promotes the record. */
  const sharedSet = async (rec: RotationRecord, h: OpenclawHost): Promise<RotationStatus> => {
    const host = h.spec.name;
    const version = h.pkg?.version ?? null;
    const progress = progressOf(rec, host);
    if (progress.state === 'installed' || progress.state === 'released') return consumerStatus(rec.key, host, version);
    if (rec.state === 'abandoned') throw ApplicationFailure.nonRetryable(`the shared ${rec.credential} rotation was abandoned: ${rec.notes.at(-1) ?? ''}`, 'Abandoned');
    if (progress.state === 'waiting') throw ApplicationFailure.nonRetryable(`host ${host}: its create step did not join the shared ${rec.credential} rotation`, 'NoRotation');
    const { p, cfg } = providerFor(h.spec, rec.credential);
    const next = valueOf(rec, 'new');
    const old = valueOf(rec, 'old');
    h.t.addSecrets([next.value, old.value]);
    await p.install(h, cfg, next);
    const proof = await p.test(h, cfg, next, old);
    if (!proof.ok) {
      await p.install(h, cfg, old);
      const now = vault.update(rec.key, (r) => {
        setProgress(r, host, 'detached');
        r.notes.push(`${host}: test failed (${proof.detail}); the old value was put back there`);
      });
      if (!readersOfNew(now).length) await discardShared(now, p, cfg, 'no consumer reads the new value');
      throw ApplicationFailure.nonRetryable(`the new ${rec.credential} failed its test on ${host} (${proof.detail}); the old one was put back there and stays valid`, 'RotationTestFailed');
    }
    const now = vault.update(rec.key, (r) => {
      setProgress(r, host, 'installed');
      r.notes.push(`${host}: tested: ${proof.detail}`);
    });
    if (now.state === 'pending') {
      vault.advance(rec.key, 'installed');
      vault.advance(rec.key, 'tested');
      promote(rec.key, version);
    }
    return consumerStatus(rec.key, host, version);
  };
  /** Undo on one consumer: a host that had not switched goes back to the old value; the new one goes when nobody reads it. */
  const sharedDetach = async (rec: RotationRecord, host: HostSpec, reason: string): Promise<RotationStatus> => {
    const progress = rec.consumers?.[host.name];
    if (!progress || progress.state === 'installed' || progress.state === 'released' || rec.values?.new === undefined) return status(rec.key, null);
    const { p, cfg } = providerFor(host, rec.credential);
    if (progress.state === 'attached') {
      await withHost(host, async (h) => {
        if ((await p.current(h, cfg)).id === rec.ids?.new) await p.install(h, cfg, valueOf(rec, 'old'));
      });
    }
    const now = vault.update(rec.key, (r) => {
      setProgress(r, host.name, 'detached');
      r.notes.push(`${host.name}: stays on the old value: ${reason}`);
    });
    if (!readersOfNew(now).length) await discardShared(now, p, cfg, reason);
    return status(rec.key, null);
  };
  const discardShared = async (rec: RotationRecord, p: RotationProvider<unknown>, cfg: unknown, reason: string) => {
    await p.discard(cfg, valueOf(rec, 'new'));
    vault.advance(rec.key, 'abandoned', (r) => {
      r.notes.push(`abandoned (the new value deleted): ${reason}`);
      delete r.values;
    });
  };

  return {
    /** Create: the intent is recorded before the issue call and the result right after it. */
    async rotationCreate(input: CreateInput): Promise<RotationStatus> {
      return asActivity(() =>
        withHost(input.host, async (h) => {
          const version = h.pkg?.version ?? null;
          const { p, cfg } = providerFor(input.host, input.credential);
          const consumers = sharedBy(cfg);
          // A shared credential is one rotation per run, whichever host gets there first.
          const key = consumers
            ? RotationVault.keyOf(runRootOf(input.runKey, input.host.name), iamIdentity(cfg as { iamUser: string; endpoint?: string }))
            : RotationVault.keyOf(input.runKey, input.credential);
          return serialised(key, async () => {
          let rec = vault.get(key);
          if (rec && consumers && rec.state !== 'creating') return attach(rec, h, p, cfg);
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
              ...(consumers ? { consumers: initialConsumers(consumers, input.host.name) } : {}),
            });
          }
          const maker = await p.generatesOnInstall?.(h, cfg);
          if (maker) {
            // The service makes the new value at the cut-over (set); nothing is issued now.
            vault.advance(key, 'pending', (r) => {
              r.newAtInstall = maker;
              r.notes = [`the new value is generated at set by ${maker}`];
            });
            return status(key, version, h);
          }
          const next = await p.issue(cfg, old, interruptedAt);
          vault.advance(key, 'pending', (r) => {
            r.fingerprints.new = fingerprint(next.value);
            if (next.id) r.ids = { ...r.ids, new: next.id };
            r.values = { ...r.values, new: next.value };
          });
          return status(key, version, h);
          });
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
          if (rec.consumers) return sharedSet(rec, h);
          if (['promoted', 'revoked', 'finished'].includes(rec.state)) return status(input.key, version);
          // Tested but not promoted: the worker died between the two; the proof already stands.
          if (rec.state === 'tested') return promote(input.key, version);
          if (rec.state === 'abandoned') throw ApplicationFailure.nonRetryable(`rotation of ${rec.credential} on ${rec.host} was abandoned: ${rec.notes.at(-1) ?? ''}`, 'Abandoned');
          const { p, cfg } = providerFor(input.host, rec.credential);
          if (rec.newAtInstall && rec.values?.new === undefined && p.installGenerated) {
            // The cut-over makes the value (a fleet cell recreated by openclaw fleet create): it is
            // recorded at once, then delivered; a retry finds it installed and does not cut over again.
            const made = await p.installGenerated(h, cfg, valueOf(rec, 'old'));
            h.t.addSecrets([made.value]);
            vault.update(input.key, (r) => {
              r.fingerprints.new = fingerprint(made.value);
              r.values = { ...r.values, new: made.value };
            });
          }
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
        if (rec?.consumers) return sharedDetach(rec, input.host, input.reason);
        if (!rec || !['creating', 'pending', 'installed'].includes(rec.state)) return rec ? status(input.key, null) : null;
        const { p, cfg } = providerFor(input.host, rec.credential);
        const cutOver = rec.state === 'installed' || (rec.newAtInstall !== undefined && rec.values?.new !== undefined);
        if (cutOver) await withHost(input.host, (h) => p.install(h, cfg, valueOf(rec, 'old')));
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
          if (rec.consumers) {
            // This host is done with the old value; it is revoked only when no consumer still holds it.
            vault.update(input.key, (r) => setProgress(r, input.host.name, 'released'));
            const holders = holdersOfOld(vault.get(input.key)!);
            if (holders.length) {
              vault.update(input.key, (r) => r.notes.push(`${input.host.name} released the old value; it stays active while ${holders.join(', ')} ${holders.length === 1 ? 'has' : 'have'} not switched and released it`));
              const files = (input.host.credentials?.[rec.credential] as { consumerFiles?: string[] } | undefined)?.consumerFiles ?? [];
              return { ...status(input.key, h.pkg?.version ?? null), keepPaths: files.map((f) => expandHome(f, h.home)) };
            }
          }
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
        // A shared value is kept until the last consumer's revoke: others still install or hunt it.
        const rec = vault.get(input.key);
        if (rec?.consumers && rec.state !== 'revoked') return status(input.key, null);
        vault.advance(input.key, 'finished', (r) => delete r.values);
        return status(input.key, null);
      });
    },

    async rotationRecords(): Promise<RotationView[]> {
      return vault.all().map(viewOf);
    },
  };
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
