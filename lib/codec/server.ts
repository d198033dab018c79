/**
 * Temporal's remote codec protocol (POST /encode and /decode, body {payloads:[{metadata, data}]}
 * with base64 bytes) for the web UI and `temporal --codec-endpoint`. Unlike Temporal's sample,
 * every request needs the bearer token, and only the UI's own origin may call it from a browser.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { LOOPBACK } from '../embedded/dev-server.js';
import { cookieValue, SESSION_COOKIE, sessionValue, tokenMatches } from './token.js';
import { LOGIN_PAGE } from './login-page.js';

const MAX_BODY = 8 * 1024 * 1024;

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: () => string;
  /** The only origin a browser may call from: the embedded UI. */
  allowedOrigin?: string;
  log?: (line: string) => void;
}

export function codecRequestHandler(o: CodecServerOptions) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    const send = (status: number, body?: unknown) => {
      if (origin && origin === o.allowedOrigin) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
        res.setHeader('Vary', 'Origin');
      }
      if (body === undefined) {
        res.writeHead(status).end();
        return;
      }
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = (req.url ?? '').split('?')[0];
    // The login form posts from this server's own page; it needs the token, so any origin may try.
    if (path === '/login') return login(req, res, o.token(), send);
    if (origin && origin !== o.allowedOrigin) return send(403, { error: 'origin not allowed' });
    // Browsers send preflights without credentials, so they are answered without the token.
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Max-Age', '600');
      return send(204);
    }
    const auth = req.headers.authorization;
    const given = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const session = cookieValue(req.headers.cookie);
    const token = o.token();
    const ok = given !== undefined ? tokenMatches(token, given) : tokenMatches(sessionValue(token), session);
    if (!ok) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return send(401, { error: 'missing or wrong bearer token' });
    }
    if (req.method !== 'POST' || (path !== '/encode' && path !== '/decode')) return send(404, { error: 'POST /encode or /decode' });
    let payloads: Payload[];
    try {
      const body = JSON.parse(await readBody(req)) as { payloads?: JsonPayload[] };
      if (!Array.isArray(body.payloads)) throw new Error('payloads must be an array');
      payloads = body.payloads.map(fromJson);
    } catch (err) {
      return send(400, { error: `bad request: ${(err as Error).message.split('\n')[0]}` });
    }
    try {
      const out = path === '/encode' ? await o.codec.encode(payloads) : await o.codec.decode(payloads);
      return send(200, { payloads: out.map(toJson) });
    } catch (err) {
      o.log?.(`codec ${path} failed: ${(err as Error).message}`);
      return send(422, { error: (err as Error).message.split('\n')[0] });
    }
  };
}

/**
 * The web UI cannot send a bearer token to an http:// codec endpoint (it passes its own OAuth
 * token only to https://), but it can include cookies. The operator pastes the token here once;
 * the UI's "include cross-origin credentials" setting then authenticates every decode.
 */
async function login(req: IncomingMessage, res: ServerResponse, token: string, send: (status: number, body?: unknown) => void) {
  if (req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(LOGIN_PAGE);
    return;
  }
  if (req.method !== 'POST') return send(405, { error: 'GET or POST /login' });
  let given: string | undefined;
  try {
    given = new URLSearchParams(await readBody(req)).get('token')?.trim();
  } catch {
    return send(400, { error: 'bad request' });
  }
  if (!tokenMatches(token, given)) {
    res.writeHead(401, { 'Content-Type': 'text/plain' }).end('wrong token\n');
    return;
  }
  res
    .writeHead(200, {
      'Content-Type': 'text/plain',
      'Set-Cookie': `${SESSION_COOKIE}=${sessionValue(token)}; HttpOnly; SameSite=Strict; Path=/`,
    })
    .end('signed in: the web UI can now decode payloads (Codec Server settings: include cross-origin credentials)\n');
}

export function startCodecServer(port: number, o: CodecServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    codecRequestHandler(o)(req, res).catch(() => res.writeHead(500).end());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
