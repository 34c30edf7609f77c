import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/config.js';

describe('resolveConfig', () => {
  it('takes options over environment over defaults', () => {
    const env = { HUMANLOOP_API_KEY: 'env-key', HUMANLOOP_BASE_URL: 'https://eu.example.com/v4/', HUMANLOOP_PROJECT: 'env-project' };
    const fromEnv = resolveConfig({}, env);
    expect([fromEnv.apiKey, fromEnv.baseUrl.href, fromEnv.project]).toEqual([
      'env-key',
      'https://eu.example.com/v4',
      'env-project',
    ]);
    const fromOptions = resolveConfig({ apiKey: 'k', baseUrl: 'http://127.0.0.1:8787/v4', project: 'p' }, env);
    expect([fromOptions.apiKey, fromOptions.baseUrl.href, fromOptions.project]).toEqual([
      'k',
      'http://127.0.0.1:8787/v4',
      'p',
    ]);
    const defaults = resolveConfig({}, {});
    expect(defaults).toMatchObject({
      apiKey: undefined,
      project: undefined,
      captureContent: true,
      maxBatchSize: 500,
      maxBatchBytes: 1024 * 1024,
      timeoutMillis: 10_000,
      exportTimeoutMillis: 25_000,
      maxConcurrentRequests: 8,
      openParentsEarly: true,
      parentWaitMillis: 10_000,
    });
    // Humanloop's hosted API closed in September 2025: by default logs stay on this machine, at the
    // address `humanloop-log-server serve` listens on.
    expect([defaults.api, defaults.baseUrl.href]).toEqual(['v4', 'http://127.0.0.1:8787/v4']);
    expect(defaults.unusable).toMatch(/HUMANLOOP_API_KEY/);
  });

  it('turns content capture off from the OTel GenAI environment variable, unless code says otherwise', () => {
    const env = { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'FALSE' };
    expect(resolveConfig({}, env).captureContent).toBe(false);
    expect(resolveConfig({ captureContent: true }, env).captureContent).toBe(true);
  });

  it('accepts plain http to loopback hosts only, unless allowed', () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.8.9.10']) {
      expect(() => resolveConfig({ baseUrl: `http://${host}:1/v4` }, {})).not.toThrow();
    }
    expect(() => resolveConfig({ baseUrl: 'http://10.0.0.1/v4' }, {})).toThrow(/unencrypted/);
    expect(() => resolveConfig({ baseUrl: 'https://user:pw@example.com/v4' }, {})).toThrow(/credentials/);
    expect(() => resolveConfig({ baseUrl: 'https://example.com/v4?x=1' }, {})).toThrow(/query/);
  });

  it('takes the v5 API from the option or HUMANLOOP_API_VERSION, with its own base URL and concurrency', () => {
    expect(resolveConfig({ api: 'v5' }, {})).toMatchObject({ api: 'v5', maxConcurrentRequests: 16 });
    expect(resolveConfig({ api: 'v5' }, {}).baseUrl.href).toBe('http://127.0.0.1:8787/v5');
    expect(resolveConfig({}, { HUMANLOOP_API_KEY: 'k', HUMANLOOP_API_VERSION: 'V5' }).api).toBe('v5');
    // An unknown version would send to the wrong API: nothing is sent.
    expect(resolveConfig({}, { HUMANLOOP_API_KEY: 'k', HUMANLOOP_API_VERSION: 'v6' }).unusable).toMatch(/HUMANLOOP_API_VERSION/);
    expect(() => resolveConfig({ api: 'v6' as 'v5' }, {})).toThrow(/api must be/);
  });
});
