/**
 * Asks a live gateway whether it accepts a token, over its real WebSocket handshake:
 * wait for `connect.challenge`, send `connect` with the token, read `hello-ok` or an error.
 * The probe never sends a device identity, so the gateway pairs nothing and issues no
 * device token (a device token would make later probes pass whatever token they send).
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export type TokenVerdict = 'accepted' | 'rejected' | 'not-checked' | 'error';

export interface ProbeResult {
  /** Something answered the WebSocket handshake with a connect challenge. */
  live: boolean;
  token: TokenVerdict;
  protocol?: number;
  /** Why, in words, with no secret in it (the gateway's own error message or ours). */
  detail?: string;
}

export interface ProbeOptions {
  token?: string;
  timeoutMs?: number;
}

const PROTOCOL_RANGE = { minProtocol: 3, maxProtocol: 4 };

export function probeGateway(url: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    let settled = false;
    let challenged = false;
    const reqId = randomUUID();
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
    const finish = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.on('error', () => {});
      ws.terminate();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ live: challenged, token: challenged ? 'error' : 'not-checked', detail: 'timed out waiting for the gateway' }),
      timeoutMs,
    );
    ws.on('error', (e: NodeJS.ErrnoException) =>
      finish({ live: false, token: 'not-checked', detail: e.code ?? e.message }),
    );
    ws.on('close', (code, reason) => {
      const why = reason.toString();
      if (challenged && code === 1008 && /unauthori[sz]ed|mismatch/i.test(why)) {
        finish({ live: true, token: 'rejected', detail: why });
      } else {
        finish({ live: challenged, token: challenged ? 'error' : 'not-checked', detail: `closed ${code} ${why}`.trim() });
      }
    });
    ws.on('message', (data) => {
      let frame: Record<string, any>;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        challenged = true;
        if (opts.token === undefined) {
          finish({ live: true, token: 'not-checked' });
          return;
        }
        ws.send(
          JSON.stringify({
            type: 'req',
            id: reqId,
            method: 'connect',
            params: {
              ...PROTOCOL_RANGE,
              client: { id: 'openclaw-probe', mode: 'probe', version: 'respond', platform: process.platform },
              role: 'operator',
              scopes: ['operator.read'],
              auth: { token: opts.token },
            },
          }),
        );
        return;
      }
      if (frame.type === 'res' && frame.id === reqId) {
        if (frame.ok && frame.payload?.type === 'hello-ok') {
          finish({ live: true, token: 'accepted', protocol: frame.payload.protocol });
        } else {
          const message = String(frame.error?.message ?? 'connect refused');
          const rejected = /unauthori[sz]ed|mismatch/i.test(message) || frame.error?.details?.code === 'AUTH_TOKEN_MISMATCH';
          finish({ live: true, token: rejected ? 'rejected' : 'error', detail: message });
        }
      }
    });
  });
}
