import { startTestLogServer, type TestLogServer, type LocalLogServerOptions } from '../../src/testing/index.js';

export const KEY = 'local-test-key-7c1f';

export interface Detail {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

/** A server on a free loopback port, and calls to it over real sockets with global fetch. */
export interface Client {
  server: TestLogServer;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** POSTs to /logs and returns the parsed answer, failing unless it is 200. */
  post(body: unknown): Promise<unknown>;
  /** POSTs to /logs, expects 422, and returns its `detail`. */
  rejected(body: unknown): Promise<Detail[]>;
}

export async function startClient(options: LocalLogServerOptions = { apiKey: KEY }): Promise<Client> {
  const server = await startTestLogServer(options);
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(2_000),
    });
  return {
    server,
    call,
    post: async (body): Promise<unknown> => {
      const response = await call('POST', '/logs', body);
      if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${await response.text()}`);
      return response.json();
    },
    rejected: async (body) => {
      const response = await call('POST', '/logs', body);
      if (response.status !== 422) throw new Error(`expected 422, got ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { detail: Detail[] }).detail;
    },
  };
}

/** A minimal valid LogRequest, with changes. */
export function log(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { project: 'p', config: { type: 'model', model: 'gpt-4o' }, ...extra };
}
