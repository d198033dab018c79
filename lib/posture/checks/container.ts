/**
 * `container`: a containerised gateway runs hardened: non-root, read-only root, no-new-privileges,
 * all capabilities dropped, a memory limit, no container runtime socket, ports published on
 * loopback only. Judged on the live container (inspect) when respond found the gateway in one,
 * and on every compose file near its home that runs OpenClaw. Neither: pass, "not containerised"
 * (a bare-metal gateway has nothing here to harden; the other checks cover it).
 */
import { parse } from 'yaml';
import { failures, fromCompose, fromInspect, type Failing, type Hardening, type InspectLine, type ProcCaps } from '../container-hardening.js';
import { result, type PostureCheck, type PostureGateway } from '../types.js';

// Only HostConfig, mounts and the user leave the host: a container's Env and Cmd can hold tokens.
// Podman's template names the id .ID and adds EffectiveCaps; Docker's names it .Id.
const fields = (id: string, extra = '') =>
  `{"Name":{{json .Name}},"Id":{{json .${id}}},"Image":{{json .Config.Image}},"User":{{json .Config.User}},"StatePid":{{json .State.Pid}},"HostConfig":{{json .HostConfig}},"Mounts":{{json .Mounts}}${extra}}`;
const INSPECT = `
for rt in podman docker; do
  command -v $rt >/dev/null 2>&1 || continue
  ids=$($rt ps -q 2>/dev/null) || { echo "@@unavailable $rt $($rt ps -q 2>&1 | head -1)"; continue; }
  fmt='${fields('Id')}'
  [ $rt = podman ] && fmt='${fields('ID', ',"EffectiveCaps":{{json .EffectiveCaps}}')}'
  for id in $ids; do
    line=$($rt inspect --format "$fmt" "$id" 2>/dev/null) || continue
    echo "@@container $rt $line"
    pid=$(printf '%s' "$line" | sed -n 's/.*"StatePid":\\([0-9]*\\).*/\\1/p')
    echo "@@proc $(grep -E '^(CapBnd|NoNewPrivs):' /proc/$pid/status 2>/dev/null | tr -s '\\t\\n' '  ')"
  done
done
exit 0
`;

const COMPOSE = `
seen=" "
for d in "$RESPOND_HOME" "$RESPOND_STATE_DIR" "$(dirname "$RESPOND_STATE_DIR")" "$RESPOND_HOME/openclaw" /opt/openclaw /srv/openclaw; do
  for n in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
    f="$d/$n"
    case "$seen" in *" $f "*) continue;; esac
    seen="$seen$f "
    [ -f "$f" ] && grep -qi openclaw "$f" || continue
    echo "@@compose $f"; cat "$f"; echo; echo "@@compose-end"
  done
done
exit 0
`;

interface Subject {
  source: string;
  hardening: Hardening;
  failing: Failing[];
}

export function liveContainers(out: string): Array<{ runtime: string; c: InspectLine; proc: ProcCaps }> {
  const found: Array<{ runtime: string; c: InspectLine; proc: ProcCaps }> = [];
  const lines = out.split('\n');
  lines.forEach((line, i) => {
    const m = /^@@container (\S+) (\{.*\})$/.exec(line);
    if (!m) return;
    let c: InspectLine;
    try {
      c = JSON.parse(m[2]!) as InspectLine;
    } catch {
      return;
    }
    const status = lines[i + 1]?.startsWith('@@proc') ? lines[i + 1]! : '';
    const bnd = /CapBnd: ([0-9a-f]+)/.exec(status)?.[1];
    const nnp = /NoNewPrivs: (\d)/.exec(status)?.[1];
    found.push({ runtime: m[1]!, c, proc: { capBnd: bnd ? BigInt(`0x${bnd}`) : null, noNewPrivs: nnp === undefined ? null : nnp === '1' } });
  });
  return found;
}

/** The gateway's container: by the name or id respond found, else the one publishing its port. */
function gatewayContainer(all: ReturnType<typeof liveContainers>, gw: PostureGateway) {
  const m = gw.manager;
  const want = m.kind === 'docker' || m.kind === 'openclaw-fleet' ? m.container : null;
  const byName = all.find(({ c }) => want !== null && (c.Name.replace(/^\//, '') === want || c.Id.startsWith(want)));
  return byName ?? all.find(({ c }) => Object.values(c.HostConfig.PortBindings ?? {}).some((b) => (b ?? []).some((x) => x.HostPort === String(gw.port))));
}

export function composeServices(out: string): { subjects: Array<{ file: string; service: string; svc: Record<string, unknown> }>; errors: string[] } {
  const subjects: Array<{ file: string; service: string; svc: Record<string, unknown> }> = [];
  const errors: string[] = [];
  for (const m of out.matchAll(/^@@compose (.*)\n([\s\S]*?)^@@compose-end$/gm)) {
    let doc: { services?: Record<string, Record<string, unknown>> };
    try {
      doc = (parse(m[2]!) ?? {}) as typeof doc;
    } catch (e) {
      errors.push(`${m[1]}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const [service, svc] of Object.entries(doc.services ?? {})) {
      if (!svc || typeof svc !== 'object') continue;
      const runs = [service, svc.image, svc.container_name, svc.command, svc.entrypoint].flat().map((v) => String(v ?? ''));
      if (runs.some((v) => /openclaw/i.test(v))) subjects.push({ file: m[1]!, service, svc });
    }
  }
  return { subjects, errors };
}

export function composeSnippet(service: string, port: number): string {
  return [
    'services:',
    `  ${service}:`,
    '    user: "1000:1000"',
    '    read_only: true',
    '    tmpfs:',
    '      - /tmp',
    '    volumes:',
    '      - ./state:/home/node/.openclaw   # the only writable path; no /var/run/docker.sock',
    '    security_opt:',
    '      - no-new-privileges:true',
    '    cap_drop:',
    '      - ALL',
    '    mem_limit: 2g',
    '    pids_limit: 512',
    '    ports:',
    `      - "127.0.0.1:${port}:${port}"`,
  ].join('\n');
}

function runFlags(port: number): string {
  return `--user 1000:1000 --read-only --tmpfs /tmp --security-opt no-new-privileges --cap-drop ALL --memory 2g --pids-limit 512 -p 127.0.0.1:${port}:${port}`;
}

export const containerCheck: PostureCheck = {
  id: 'container',
  reads: 'podman/docker inspect of running containers (HostConfig, mounts, user; never Env) with CapBnd/NoNewPrivs of their process, and compose files naming openclaw in the home, the state dir and its parent, /opt/openclaw, /srv/openclaw',
  probes: { 'container.inspect': INSPECT, 'container.compose': COMPOSE },
  evaluate({ gateway, probe }) {
    const m = gateway.manager;
    const inspectOut = probe['container.inspect']?.out ?? '';
    const subjects: Subject[] = [];
    const live = gatewayContainer(liveContainers(inspectOut), gateway);
    if (live) {
      const h = fromInspect(live.c, live.proc);
      const profile = m.kind === 'openclaw-fleet' ? 'openclaw-fleet' : 'hardening-guide';
      subjects.push({ source: `${live.runtime} container ${live.c.Name.replace(/^\//, '')}${profile === 'openclaw-fleet' ? ' (openclaw fleet cell: its security profile)' : ''}`, hardening: h, failing: failures(h, profile) });
    }
    const compose = composeServices(probe['container.compose']?.out ?? '');
    for (const s of compose.subjects) {
      const h = fromCompose(s.svc);
      subjects.push({ source: `${s.file} service ${s.service}`, hardening: h, failing: failures(h) });
    }
    const unavailable = [...inspectOut.matchAll(/^@@unavailable (\S+) (.*)$/gm)].filter((x) => 'runtime' in m && x[1] === m.runtime).map((x) => `${x[1]}: ${x[2]}`);
    const evidence = { manager: m.kind, subjects, composeErrors: compose.errors, runtimesUnavailable: unavailable };
    if ((m.kind === 'docker' || m.kind === 'openclaw-fleet') && !live) {
      const name = m.container ?? `publishing port ${gateway.port}`;
      if (subjects.length === 0) {
        return result('container', 'unknown', `gateway runs in ${m.runtime} container ${name}, but ${m.runtime} inspect did not show it${unavailable.length ? ` (${unavailable.join('; ')})` : ''}`, evidence);
      }
    }
    if (subjects.length === 0) {
      if (compose.errors.length) return result('container', 'unknown', `compose file not readable: ${compose.errors.join('; ')}`, evidence);
      return result('container', 'pass', 'not containerised: no container runs the gateway and no compose file for it was found', evidence);
    }
    const bad = subjects.filter((s) => s.failing.some((f) => f.severity === 'fail'));
    const warned = subjects.filter((s) => s.failing.length > 0);
    const line = (ss: Subject[]) => ss.map((s) => `${s.source}: ${s.failing.map((f) => f.detail).join(', ')}`).join('; ');
    const service = compose.subjects[0]?.service ?? 'openclaw';
    const fix = {
      text: `harden the container (compose snippet below${live ? `, or recreate it with: ${live.runtime} run ${runFlags(gateway.port)}` : ''}${m.kind === 'openclaw-fleet' ? '; the cell belongs to openclaw fleet: change it through the fleet, not behind its back' : ''}), then recreate it`,
      commands: [composeSnippet(service, gateway.port)],
    };
    if (bad.length) return result('container', 'fail', line(bad), evidence, fix);
    if (warned.length) return result('container', 'warn', line(warned), evidence, fix);
    return result('container', 'pass', `hardened: ${subjects.map((s) => s.source).join('; ')}`, evidence);
  },
};
