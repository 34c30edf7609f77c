import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { startOtlpGateway } from '../../src/gateway/index.js';
import { contextsBySpanName } from '../../../../test/helpers/context-rig.js';
import { API_KEY, DIALECTS } from '../../../../test/helpers/harness.js';
import { testScope } from '../../../../test/helpers/scope.js';
import { CHAT_ATTRIBUTES, chatSpans } from '../../../../test/helpers/spans.js';
import { until } from '../../../../test/helpers/until.js';

/**
 * An app in another language sets the request context as span attributes by hand (`humanloop.*`,
 * the names withHumanloop writes) and sends OTLP to the gateway: its logs carry them as a
 * JavaScript app's do.
 */

const scope = testScope();

const CONTEXT = {
  'humanloop.user_id': 'py-user',
  'humanloop.session_id': 'py-session',
  'humanloop.environment': 'py-env',
  'humanloop.path': 'python/app',
  'humanloop.metadata.tenant': 'acme',
};

describe.each(DIALECTS)('humanloop.* attributes through the gateway (%s)', (api) => {
  it('are the log’s user, session, environment, folder and metadata', async () => {
    const server = await scope.server({ api });
    const gateway = await startOtlpGateway({ port: 0, batchDelayMillis: 0, exporter: { api, apiKey: API_KEY, baseUrl: server.url } });
    scope.defer(() => gateway.close());
    const body = JsonTraceSerializer.serializeRequest(chatSpans(1, { ...CHAT_ATTRIBUTES, ...CONTEXT }))!;
    const response = await fetch(`${gateway.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(200);
    await until(() => contextsBySpanName(server, api).has('chat 0'), 'the log');

    const log = contextsBySpanName(server, api).get('chat 0')!;
    expect(log.user).toBe('py-user');
    expect(log.environment).toBe('py-env');
    expect(log.metadata).toMatchObject({ session_id: 'py-session', tenant: 'acme' });
    if (api === 'v4') expect(log.session).toBe('py-session');
    else expect(log.path).toBe(`python/app/${String(CHAT_ATTRIBUTES['gen_ai.request.model'])}`);
  });
});
