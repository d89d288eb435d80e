// Opens an API client from the CLI config (and GRAPPE_URL / GRAPPE_TOKEN), closed when the command ends.
import { z } from 'zod';
import { configPath, dataDirOf, loadConfig, localCaPath, readCaFile, resolveConnection } from '../config.ts';
import { ApiClient, NOT_LOGGED_IN } from '../http-client.ts';
import type { Runtime } from '../runtime.ts';
import { CliError } from '../cli-error.ts';
import { listOf } from './output.ts';

export function openClient(rt: Runtime): ApiClient {
  const config = loadConfig(configPath(rt.env));
  const conn = resolveConnection(config, rt.env, () => readCaFile(localCaPath(dataDirOf(rt.env))));
  if (!conn.token) throw new CliError(NOT_LOGGED_IN, 1, 'unauthenticated');
  return new ApiClient({ url: conn.url, caCertPem: conn.caCertPem, token: conn.token });
}

/** Runs `work` with a client and always releases its keep-alive sockets, so the process can exit. */
export async function withClient<T>(rt: Runtime, work: (client: ApiClient) => Promise<T>): Promise<T> {
  const client = openClient(rt);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** A list answer validated item by item with its contract schema. */
export function parseList<S extends z.ZodType>(client: ApiClient, schema: S, body: unknown, key: string, what: string): z.infer<S>[] {
  return client.parse(z.array(schema), listOf(body, key), what);
}

export const hostPath = (ref: string, rest = ''): string => `/hosts/${encodeURIComponent(ref)}${rest}`;
