import { describe, expect, it } from 'vitest';
import { startOtlpGateway } from '../../src/gateway/index.js';
import { API_KEY } from '../../../../test/helpers/harness.js';
import { dripUntilClosed, send } from '../../../../test/helpers/raw-request.js';
import { testScope } from '../../../../test/helpers/scope.js';

/** A sender that drips its request holds a connection and a reader: the gateway lets it go. */

const scope = testScope();

describe('a sender that takes too long to send its request', () => {
  it('gets 408 and its connection closed after requestTimeoutMillis, and the gateway keeps serving', async () => {
    const server = await scope.server();
    const gateway = await startOtlpGateway({ port: 0, requestTimeoutMillis: 300, exporter: { apiKey: API_KEY, baseUrl: server.url } });
    scope.defer(() => gateway.close());
    const head = `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`;
    expect(await dripUntilClosed(gateway.port, head)).toMatch(/^HTTP\/1\.1 408 /);
    expect(await dripUntilClosed(gateway.port, 'POST /v1/traces HTTP/1.1\r\nX-Slow: ')).toMatch(/^HTTP\/1\.1 408 /);
    expect((await send(gateway.port, 'GET', '/health', { host: '127.0.0.1' })).status).toBe(200);
  });
});
