import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, resolveConfig } from '../src/config/config.js';
import { HumanloopSpanExporter } from '../src/index.js';
import { API_KEY, captureStderr, exportOnce } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';
import { CHAT_ATTRIBUTES, chatSpans } from './helpers/spans.js';

/** API keys as they come from files and secret managers: often with a line break at the end. */

const scope = testScope();
const SECRET_PART = 'distinctive';

afterEach(() => {
  vi.restoreAllMocks();
  diag.disable();
});

describe('an API key with whitespace around it', () => {
  it('is trimmed, from the apiKey option and from HUMANLOOP_API_KEY', () => {
    expect(resolveConfig({ apiKey: `${API_KEY}\r\n` }, {}).apiKey).toBe(API_KEY);
    expect(resolveConfig({ apiKey: ` \t${API_KEY} ` }, {}).apiKey).toBe(API_KEY);
    const fromEnv = resolveConfig({}, { HUMANLOOP_API_KEY: `${API_KEY}\n` });
    expect([fromEnv.apiKey, fromEnv.unusable]).toEqual([API_KEY, undefined]);
  });

  it('delivers logs end to end when the key was read from a file ending in a newline', async () => {
    const server = await scope.server();
    const file = join(scope.tempDir(), 'humanloop-key');
    writeFileSync(file, `${API_KEY}\n`);
    const exporter = new HumanloopSpanExporter({ apiKey: readFileSync(file, 'utf8'), baseUrl: server.url }, { env: {} });
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'key-from-file' }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    scope.defer(() => provider.shutdown());
    const tracer = provider.getTracer('api-key');
    tracer.startSpan('chat one', { attributes: CHAT_ATTRIBUTES }).end();
    tracer.startSpan('chat two', { attributes: CHAT_ATTRIBUTES }).end();
    await provider.forceFlush();
    expect(server.logs()).toHaveLength(2);
    expect(server.requests().map((request) => request.status)).toEqual([200]);
    expect(exporter.stats().spans.delivered).toBe(2);
  });
});

describe('an API key holding a character no HTTP header can carry', () => {
  const BAD_KEYS = [`${API_KEY}\nsecond-line`, `${API_KEY}\u0000`, `hl_${SECRET_PART}\u2013key`, `hl_${SECRET_PART}\u007fkey`];

  it.each(BAD_KEYS.map((key) => [JSON.stringify(key), key]))('throws at construction when given in code (%s), without quoting it', (_, key) => {
    let thrown: unknown;
    try {
      resolveConfig({ apiKey: key }, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as Error).message).toMatch(/apiKey.*HTTP header/);
    expect((thrown as Error).message).not.toContain(SECRET_PART);
  });

  it('disables the exporter with one stderr line that does not quote it, when it comes from HUMANLOOP_API_KEY', async () => {
    diag.disable();
    const stderr = captureStderr();
    const server = await scope.server();
    const key = `hl_${SECRET_PART}\u0007key`;
    const exporter = new HumanloopSpanExporter({ baseUrl: server.url }, { env: { HUMANLOOP_API_KEY: key } });
    scope.defer(() => exporter.shutdown());
    const result = await exportOnce(exporter, chatSpans(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toMatchObject({ reason: 'not_configured', message: expect.stringMatching(/HUMANLOOP_API_KEY.*HTTP header/) });
    expect(result.error?.message).not.toContain(SECRET_PART);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^humanloop-otel-exporter: .*HUMANLOOP_API_KEY.*HTTP header.*\n$/);
    expect(stderr[0]).not.toContain(SECRET_PART);
    expect(server.requests()).toEqual([]);
  });
});
