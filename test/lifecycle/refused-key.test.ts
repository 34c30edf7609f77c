import { ExportResultCode } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { captureDiag, exportOnce } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';
import { chatSpans } from '../helpers/spans.js';

const scope = testScope();

describe('after Humanloop refused the API key', () => {
  // Defect: only what was queued when the 401 came was halted; every later export still sent a
  // request with the refused key.
  it('sends nothing more with it, and every later export fails as unauthorized', async () => {
    const diagnostics = captureDiag();
    scope.defer(() => diagnostics.restore());
    const hl = await scope.server();
    const exporter = scope.exporter(hl.url, { apiKey: 'hl_wrong_key' });
    expect((await exportOnce(exporter, chatSpans(2))).error).toMatchObject({ reason: 'unauthorized' });
    const requests = hl.requests().length;
    expect(requests).toBe(1);
    for (let i = 0; i < 3; i++) {
      const result = await exportOnce(exporter, chatSpans(2));
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error).toMatchObject({ reason: 'unauthorized' });
    }
    expect(hl.requests().length, 'requests after the refusal').toBe(requests);
    expect(exporter.stats().spans).toMatchObject({ seen: 8, dropped: { unauthorized: 8 } });
  });
});
