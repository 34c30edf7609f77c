import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGatewayArgs } from '../../src/cli/gateway.js';
import { loadRedactionFile, redactionFromRules } from '../../src/gateway/index.js';
import type { LogRequest } from 'humanloop-otel-exporter';

const dir = mkdtempSync(join(tmpdir(), 'hl-gateway-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = {
  project: 'p',
  messages: [{ role: 'user', content: 'my card is 4111111111111111' }],
  output: 'ok 4111111111111111',
  inputs: { secret: 'x' },
  metadata: { user_id: 'u1', otel: { span_name: 'chat' } },
} as unknown as LogRequest;

describe('the redaction file', () => {
  it('replaces matches in every string, removes fields, drops logs, and leaves the original alone', () => {
    const redact = redactionFromRules({
      removeFields: ['inputs', 'metadata.user_id'],
      replace: [{ pattern: '\\b\\d{13,16}\\b', with: '[card]' }],
      dropWhen: [{ field: 'metadata.otel.span_name', equals: 'healthcheck' }],
    });
    expect(redact(log)).toEqual({
      project: 'p',
      messages: [{ role: 'user', content: 'my card is [card]' }],
      output: 'ok [card]',
      metadata: { otel: { span_name: 'chat' } },
    });
    expect(log.inputs).toEqual({ secret: 'x' });
    expect(redact({ ...log, metadata: { otel: { span_name: 'healthcheck' } } })).toBeNull();
  });

  it('refuses rules it cannot apply, naming what is wrong', () => {
    expect(() => redactionFromRules([])).toThrow(/object/);
    expect(() => redactionFromRules({ remove: [] })).toThrow(/unknown key/);
    expect(() => redactionFromRules({ replace: [{ pattern: '(', with: '' }] })).toThrow(/replace\[0\]/);
    expect(() => redactionFromRules({ replace: [{ pattern: 'a', with: '', flags: 'y' }] })).toThrow(/flags/);
    expect(() => redactionFromRules({ dropWhen: [{ field: 'a' }] })).toThrow(/dropWhen\[0\]/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    expect(() => loadRedactionFile(broken)).toThrow(/not valid JSON/);
    expect(() => loadRedactionFile(join(dir, 'missing.json'))).toThrow(/ENOENT/);
  });

  it('is loaded by the gateway command, which reads keys and tokens from the environment or files only', () => {
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ removeFields: ['output'] }));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'file-token\n');
    const options = parseGatewayArgs(['--port', '0', '--grpc-port', '4317', '--redaction', rules, '--token-file', tokenFile, '--api', 'v5', '--spool-dir', dir], {
      HUMANLOOP_API_KEY: 'env-key',
    });
    if (typeof options === 'number') throw new Error(`exit ${options}`);
    expect(options).toMatchObject({ port: 0, grpcPort: 4317, host: '127.0.0.1', token: 'file-token', exporter: { apiKey: 'env-key', api: 'v5', spoolDir: dir } });
    expect(options.exporter?.redact?.(log, undefined as never)).not.toHaveProperty('output');
    expect(parseGatewayArgs(['--port', '0'], { HUMANLOOP_GATEWAY_TOKEN: 'env-token' })).toMatchObject({ token: 'env-token' });
  });

  it('the gateway command refuses a public host without a token, bad numbers and unknown flags (exit 2)', () => {
    const quiet = console.error;
    console.error = () => undefined;
    try {
      expect(parseGatewayArgs(['--host', '0.0.0.0'], {})).toBe(2);
      expect(parseGatewayArgs(['--port', '70000'], {})).toBe(2);
      expect(parseGatewayArgs(['--max-pending-spans', '0'], {})).toBe(2);
      expect(parseGatewayArgs(['--api-key', 'k'], {})).toBe(2);
      expect(parseGatewayArgs(['--redaction', join(dir, 'missing.json')], {})).toBe(2);
    } finally {
      console.error = quiet;
    }
    expect(parseGatewayArgs(['--host', '0.0.0.0'], { HUMANLOOP_GATEWAY_TOKEN: 't' })).toMatchObject({ host: '0.0.0.0', token: 't' });
  });
});
