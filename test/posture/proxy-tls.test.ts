/**
 * `proxy-tls` against a real nginx (Debian's nginx-light) started here with its own prefix and
 * config, bound to 127.0.0.1 only: a TLS site proxying the gateway's port passes, the same site
 * reloaded as plain HTTP fails, and with nginx stopped a loopback gateway passes with a note.
 * The upstream on the "gateway" port is a small HTTP server, so a request through nginx shows the
 * proxy really reaches it; the check itself only reads nginx's config.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caddySites } from '../../lib/posture/caddyfile.js';
import { nginxServers, resolveIncludes, splitDump } from '../../lib/posture/nginx-conf.js';
import { proxyTlsCheck } from '../../lib/posture/checks/proxy-tls.js';
import { freePort } from '../helpers/sandbox.js';
import { gatewayFacts, runCheck } from './inputs.js';

const NGINX = '/usr/sbin/nginx';
let dir: string;
let gwPort: number;
let proxyPort: number;
let upstream: Server;
let nginx: ResultPromise | undefined;

function site(tls: boolean): string {
  return [
    'server {',
    `    listen 127.0.0.1:${proxyPort}${tls ? ' ssl' : ''};`,
    '    server_name gateway.test;',
    ...(tls ? [`    ssl_certificate ${dir}/cert.pem;`, `    ssl_certificate_key ${dir}/key.pem;`] : []),
    '    location / {',
    `        proxy_pass http://127.0.0.1:${gwPort};`,
    '    }',
    '}',
    '',
  ].join('\n');
}

async function through(scheme: 'http' | 'https'): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await execa('curl', ['-sk', '--max-time', '3', `${scheme}://127.0.0.1:${proxyPort}/`], { reject: false });
    if (r.exitCode === 0 && r.stdout.includes('upstream')) return r.stdout;
    if (Date.now() > deadline) throw new Error(`no ${scheme} answer through nginx: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

const conf = () => join(dir, 'nginx.conf');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'respond-proxy-tls-'));
  mkdirSync(join(dir, 'sites'));
  gwPort = await freePort();
  proxyPort = await freePort();
  upstream = createServer((_q, s) => s.end('upstream ok\n'));
  await new Promise<void>((res) => upstream.listen(gwPort, '127.0.0.1', res));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=gateway.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  writeFileSync(
    conf(),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log;`,
      'events { worker_connections 64; }',
      'http {',
      `    access_log ${dir}/access.log;`,
      `    include ${dir}/sites/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'sites', 'gateway.conf'), site(true));
  nginx = execa(NGINX, ['-p', dir, '-c', conf()], { reject: false, stdio: 'ignore' });
  expect(await through('https')).toContain('upstream ok');
});

afterAll(async () => {
  if (nginx && nginx.exitCode === undefined) {
    nginx.kill('SIGQUIT');
    await nginx;
  }
  await new Promise((res) => upstream?.close(res));
  rmSync(dir, { recursive: true, force: true });
});

describe('proxy-tls with a real nginx', () => {
  it('passes: a TLS site proxies the exposed gateway port', async () => {
    const r = await runCheck(proxyTlsCheck, gatewayFacts({ port: gwPort, bind: 'lan' }));
    expect(r.status, r.summary).toBe('pass');
    expect(r.summary).toContain(`nginx ${dir}/sites/gateway.conf listen 127.0.0.1:${proxyPort} ssl`);
    expect(r.summary).toContain('gateway.bind lan');
    expect(r.evidence.nginxConfigs).toContainEqual(`${conf()} (master pid ${nginx!.pid})`);
  });

  it('fails: the same site reloaded as plain HTTP', async () => {
    writeFileSync(join(dir, 'sites', 'gateway.conf'), site(false));
    process.kill(nginx!.pid!, 'SIGHUP');
    expect(await through('http')).toContain('upstream ok');
    // A loopback gateway too: a plain proxy of its port is what makes it reachable.
    const r = await runCheck(proxyTlsCheck, gatewayFacts({ port: gwPort }));
    expect(r.status, r.summary).toBe('fail');
    expect(r.summary).toContain(`plain-HTTP proxy of port ${gwPort}: nginx ${dir}/sites/gateway.conf listen 127.0.0.1:${proxyPort}`);
    expect(r.fix?.commands?.[0]).toContain(`proxy_pass http://127.0.0.1:${gwPort};`);
    expect(r.fix?.commands?.[0]).toContain('listen 443 ssl');
  });

  it('unknown: the running master’s config on disk no longer parses (edited, not reloaded)', async () => {
    writeFileSync(join(dir, 'sites', 'gateway.conf'), 'server { listen 127.0.0.1:1 bogus_option; }\n');
    const r = await runCheck(proxyTlsCheck, gatewayFacts({ port: gwPort, bind: 'lan' }));
    expect(r.status, r.summary).toBe('unknown');
    expect(r.summary).toContain(`cannot tell whether nginx proxies port ${gwPort}: nginx -T for master ${nginx!.pid} (${conf()}) exited 1`);
  });

  it('with nginx stopped: a loopback gateway passes with a note, an exposed one fails', async () => {
    nginx!.kill('SIGQUIT');
    await nginx;
    const loopback = await runCheck(proxyTlsCheck, gatewayFacts({ port: gwPort }));
    expect(loopback.status, loopback.summary).toBe('pass');
    expect(loopback.summary).toBe(`loopback only and no running proxy names port ${gwPort}: nothing to put TLS in front of`);
    expect(JSON.stringify(loopback.evidence.nginxConfigs)).not.toContain(dir);
    const exposed = await runCheck(proxyTlsCheck, gatewayFacts({ port: gwPort, bind: 'lan', listening: ['0.0.0.0'] }));
    expect(exposed.status, exposed.summary).toBe('fail');
    expect(exposed.summary).toContain('gateway.bind lan, listens on 0.0.0.0');
    const own = await runCheck(proxyTlsCheck, gatewayFacts({ port: gwPort, bind: 'lan', config: { gateway: { tls: { enabled: true } } } }));
    expect(own.status, own.summary).toBe('pass');
    expect(own.summary).toContain('gateway.tls.enabled');
  });

  it('a Caddyfile in the home that no running caddy uses is shown, not counted', async () => {
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'Caddyfile'), `gateway.test {\n\treverse_proxy 127.0.0.1:${gwPort}\n}\n`);
    const r = await runCheck(proxyTlsCheck, gatewayFacts({ port: gwPort, bind: 'lan', home }));
    expect(r.status, r.summary).toBe('fail');
    expect(r.summary).toContain(`configured but not running: caddy ${home}/Caddyfile listen gateway.test (not running)`);
  });
});

describe('Caddyfile sites', () => {
  it('a host name gets automatic HTTPS; a bare port, http:// or auto_https off does not', () => {
    const text = [
      '{',
      '  email ops@example.com',
      '}',
      'gw.example.com {',
      '  reverse_proxy /ws/* localhost:18789',
      '}',
      ':8080 {',
      '  reverse_proxy 127.0.0.1:18789',
      '}',
      'http://gw.example.com {',
      '  reverse_proxy {',
      '    to http://127.0.0.1:18789',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(caddySites(text)).toEqual([
      { addresses: ['gw.example.com'], tls: true, targets: ['localhost:18789'] },
      { addresses: [':8080'], tls: false, targets: ['127.0.0.1:18789'] },
      { addresses: ['http://gw.example.com'], tls: false, targets: ['127.0.0.1:18789'] },
    ]);
    expect(caddySites(`{\n  auto_https off\n}\ngw.example.com {\n  reverse_proxy :18789\n}\n`)).toEqual([{ addresses: ['gw.example.com'], tls: false, targets: ['localhost:18789'] }]);
  });
});

describe('nginx -T dumps', () => {
  it('includes are put back in place; upstreams expand; a server with a plain listen beside ssl is not TLS', () => {
    const dump = [
      'nginx: [warn] something',
      '# configuration file /etc/nginx/nginx.conf:',
      'events {}',
      'http {',
      '  upstream gw { server 127.0.0.1:18789 max_fails=2; }',
      '  include conf.d/*.conf;',
      '}',
      'stream { server { listen 8443 ssl; proxy_pass 127.0.0.1:18789; } }',
      '',
      '# configuration file /etc/nginx/conf.d/b.conf:',
      'server { listen 80; listen 443 ssl; location / { proxy_pass http://gw; } }',
      '',
      '# configuration file /etc/nginx/conf.d/a.conf:',
      'server { listen [::1]:8080 http2; server_name "a.test"; # comment; with { braces',
      '  location /x { proxy_pass http://localhost:18789/x; } }',
      '',
    ].join('\n');
    const servers = nginxServers(resolveIncludes(splitDump(dump), '/etc/nginx/nginx.conf'));
    expect(servers.map(({ context, file, listens, tls, targets }) => ({ context, file, listens, tls, targets }))).toEqual([
      { context: 'http', file: '/etc/nginx/conf.d/a.conf', listens: ['[::1]:8080 http2'], tls: false, targets: ['localhost:18789'] },
      { context: 'http', file: '/etc/nginx/conf.d/b.conf', listens: ['80', '443 ssl'], tls: false, targets: ['127.0.0.1:18789'] },
      { context: 'stream', file: '/etc/nginx/nginx.conf', listens: ['8443 ssl'], tls: true, targets: ['127.0.0.1:18789'] },
    ]);
  });
});
