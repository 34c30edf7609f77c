import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import type * as Package from '../../src/index.js';
import { useAsyncContext } from '../helpers/context-rig.js';

/**
 * The built package (`npm run build`, as `npm test` runs it first): withHumanloop is exported from
 * the root of the ESM and the CommonJS build, and the two share the request context, so an app
 * whose code loads one build while a library loads the other still gets its values on the spans.
 */

useAsyncContext();

const esm = (): Promise<typeof Package> => import(pathToFileURL(resolve('dist/esm/index.js')).href) as Promise<typeof Package>;
const cjs = (): typeof Package => createRequire(import.meta.url)(resolve('dist/cjs/index.js')) as typeof Package;

describe('withHumanloop in the built package', () => {
  it('is exported by both builds, and a context set through one is stamped by the other’s processor', async () => {
    const [fromEsm, fromCjs] = [await esm(), cjs()];
    expect(typeof fromEsm.withHumanloop).toBe('function');
    expect(typeof fromCjs.withHumanloop).toBe('function');
    expect(typeof fromCjs.HumanloopContextSpanProcessor).toBe('function');

    const spans = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new fromEsm.HumanloopContextSpanProcessor(), new SimpleSpanProcessor(spans)] });
    const tracer = provider.getTracer('dual');
    fromCjs.withHumanloop({ user: 'cjs-user', metadata: { build: 'cjs' } }, () => tracer.startSpan('inside').end());

    expect(spans.getFinishedSpans()[0]?.attributes).toMatchObject({ 'humanloop.user_id': 'cjs-user', 'humanloop.metadata.build': 'cjs' });
    await provider.shutdown();
  });
});
