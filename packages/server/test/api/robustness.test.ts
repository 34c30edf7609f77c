import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../../test/helpers/until.js';
import { KEY, log, startClient, type Client } from './client.js';

let c: Client;

beforeAll(async () => {
  c = await startClient({ apiKey: KEY, maxBodyBytes: 64 * 1024 });
});

afterAll(() => c.server.close());

/** Sends raw bytes on a fresh connection and resolves with whatever comes back before it closes. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(c.server.port, '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.setTimeout(2_000, () => socket.destroy(new Error('no answer')));
  });
}

describe('hostile input', () => {
  it('answers every JSON value with 200 or 422, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 3 })), async (body) => {
        const response = await c.call('POST', '/logs', body);
        expect([200, 422]).toContain(response.status);
        await response.arrayBuffer();
      }),
      { numRuns: 150, seed: 20261122 },
    );
  });

  it('answers any value at any known field with 200 or 422', async () => {
    const values = [null, 0, -1, 1.5, 'x', '', true, [], [null], {}, { type: 'x' }];
    const fields = ['project', 'config', 'messages', 'output_message', 'feedback', 'inputs', 'created_at', 'duration'];
    fields.push('prompt_tokens', 'save', 'parent_reference_id', 'trace_parent_id', 'session_id', 'reference_id');
    for (const field of fields) {
      for (const value of values) {
        const response = await c.call('POST', '/logs', [log({ [field]: value }), log({ config: { type: 'agent', model_config: value, tools: value } })]);
        expect([200, 422]).toContain(response.status);
        await response.arrayBuffer();
      }
    }
  });

  it('survives an upload aborted halfway, and keeps serving', async () => {
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start: (stream) => stream.enqueue(new TextEncoder().encode('[{"project": "p", "config": ')),
      pull: () => new Promise((resolve) => setTimeout(resolve, 50)),
    });
    const upload = fetch(`${c.server.url}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body,
      duplex: 'half',
      signal: controller.signal,
    });
    const requestsBefore = c.server.requests().length;
    await until(() => c.server.requests().length > requestsBefore, 'the upload to arrive');
    controller.abort();
    await expect(upload).rejects.toThrow();
    expect((await c.call('POST', '/logs', log())).status).toBe(200);
  });

  it('answers malformed HTTP with 400 and oversized headers with 431, without a reset', async () => {
    expect(await raw('NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(`GET /v4/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
    const truncated = await raw(`POST /v4/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"project"`);
    expect(truncated).not.toMatch(/^HTTP\/1\.1 200/);
    expect((await c.call('GET', '/logs')).status).toBe(200);
  });

  it('answers a body far over the limit with 413 on a raw socket too', async () => {
    const body = 'x'.repeat(200 * 1024);
    const answer = await raw(
      `POST /v4/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: ${KEY}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });
});
