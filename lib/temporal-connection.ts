/** Client and worker connections from a RespondConfig: plain loopback, mTLS, or API key. */
import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { RespondConfig } from './config.js';
import { dataConverterFor } from './codec/settings.js';

function tlsOptions(config: RespondConfig) {
  if (!config.tls && !config.apiKey) return undefined;
  const t = config.tls ?? {};
  return {
    serverNameOverride: t.serverName,
    serverRootCACertificate: t.caPath ? readFileSync(t.caPath) : undefined,
    clientCertPair: t.certPath && t.keyPath ? { crt: readFileSync(t.certPath), key: readFileSync(t.keyPath) } : undefined,
  };
}

export async function connectClient(config: RespondConfig, connectTimeoutMs = 10_000): Promise<Client> {
  const options: ConnectionOptions = {
    address: config.address,
    tls: tlsOptions(config),
    apiKey: config.apiKey,
    connectTimeout: connectTimeoutMs,
  };
  const connection = await Connection.connect(options);
  return new Client({ connection, namespace: config.namespace, dataConverter: dataConverterFor(config.codec) });
}

export async function connectWorker(config: RespondConfig): Promise<NativeConnection> {
  const options: NativeConnectionOptions = {
    address: config.address,
    tls: tlsOptions(config),
    apiKey: config.apiKey,
  };
  return NativeConnection.connect(options);
}
