import { describe, expect, it } from 'vitest';
import { parseGatewayArgs } from '../../src/cli/gateway.js';
import { startOtlpGateway, type OtlpGateway, type OtlpGatewayOptions } from '../../src/gateway/index.js';
import type { TestLogServer } from '../../src/testing/index.js';
import { API_KEY } from '../../../../test/helpers/harness.js';
import { send } from '../../../../test/helpers/raw-request.js';
import { testScope } from '../../../../test/helpers/scope.js';
import { until } from '../../../../test/helpers/until.js';

/**
 * DNS rebinding: a page in a browser on this machine points a name it controls at 127.0.0.1 and
 * posts to the gateway, which would forward the span with the user's Humanloop key. Its requests
 * carry that name in `Host`; the gateway answers only to names that are its own.
 */

const scope = testScope();

const SPAN = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  name: 'chat gpt-4o',
  startTimeUnixNano: '1767225600000000000',
  endTimeUnixNano: '1767225601000000000',
  attributes: [
    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
  ],
};
const BODY = JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: { name: 's' }, spans: [SPAN] }] }] });
const JSON_TYPE = { 'content-type': 'application/json' };

async function start(options: OtlpGatewayOptions = {}): Promise<{ gateway: OtlpGateway; server: TestLogServer }> {
  const server = await scope.server();
  const gateway = await startOtlpGateway({ port: 0, batchDelayMillis: 0, ...options, exporter: { apiKey: API_KEY, baseUrl: server.url } });
  scope.defer(() => gateway.close());
  return { gateway, server };
}

describe('the gateway’s Host check', () => {
  it('refuses a request whose Host is another name: no span forwarded, no metrics read', async () => {
    const { gateway, server } = await start();
    for (const host of ['attacker.example', `attacker.example:${gateway.port}`, `localhost.attacker.example:${gateway.port}`]) {
      const posted = await send(gateway.port, 'POST', '/v1/traces', { host, ...JSON_TYPE }, BODY);
      expect(posted.status, host).toBe(403);
      expect((await send(gateway.port, 'GET', '/metrics', { host })).status, host).toBe(403);
      expect((await send(gateway.port, 'GET', '/health', { host })).status, host).toBe(403);
    }
    expect(gateway.stats().spans.received).toBe(0);
    expect(gateway.exporter.stats().spans.seen).toBe(0);
    // The gateway still works for its own names; only then does a log arrive.
    expect((await send(gateway.port, 'POST', '/v1/traces', { host: `127.0.0.1:${gateway.port}`, ...JSON_TYPE }, BODY)).status).toBe(200);
    await until(() => server.logs().length === 1, 'the log');
    expect(server.logs()).toHaveLength(1);
  });

  it('answers the loopback names, with or without a port, and the address it listens on', async () => {
    const { gateway } = await start();
    for (const host of ['localhost', `localhost:${gateway.port}`, '127.0.0.1', `127.0.0.1:${gateway.port}`, '[::1]', `[::1]:${gateway.port}`, 'LOCALHOST']) {
      expect((await send(gateway.port, 'GET', '/health', { host })).status, host).toBe(200);
      expect((await send(gateway.port, 'GET', '/metrics', { host })).status, host).toBe(200);
    }
  });

  it('answers the names given in allowedHosts (--allowed-host), a leading dot allowing a domain', async () => {
    const { gateway } = await start({ allowedHosts: ['otel-gateway', '.svc.example'] });
    for (const host of ['otel-gateway', `otel-gateway:${gateway.port}`, 'gw.ns.svc.example:4318', 'localhost']) {
      expect((await send(gateway.port, 'GET', '/health', { host })).status, host).toBe(200);
    }
    for (const host of ['otel-gateway.attacker.example', 'evilsvc.example']) {
      expect((await send(gateway.port, 'GET', '/health', { host })).status, host).toBe(403);
    }
    await expect(startOtlpGateway({ port: 0, allowedHosts: ['http://otel-gateway:4318'], exporter: { apiKey: API_KEY } })).rejects.toThrow(
      /allowedHosts: "http:\/\/otel-gateway:4318" is not a host name/,
    );
    expect(parseGatewayArgs(['--allowed-host', 'otel-gateway', '--allowed-host', '.svc.example'], {})).toMatchObject({
      allowedHosts: ['otel-gateway', '.svc.example'],
    });
    expect(parseGatewayArgs(['--allowed-host', 'otel-gateway:4318'], {})).toBe(2);
  });

  it('needs no check on the gRPC port: a browser speaks HTTP/1.1 there, and gets no answer it can read', async () => {
    const { gateway } = await start({ grpcPort: 0 });
    const path = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
    const frame = Buffer.from([0, 0, 0, 0, 0]);
    const refused = await send(gateway.grpcPort!, 'POST', path, { host: 'attacker.example', 'content-type': 'application/grpc' }, frame.toString('latin1')).then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );
    expect(refused).toBe('HPE_INVALID_CONSTANT');
    expect(gateway.stats().requests).toMatchObject({ accepted: 0, refused: 0 });
  });
});
