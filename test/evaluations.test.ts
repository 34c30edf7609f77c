import type { Attributes, Span } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HumanloopSpanProcessor, type HumanloopSpanExporterOptions } from '../src/index.js';
import type { TestLogServer } from 'humanloop-log-server/testing';
import { FakeClock } from './helpers/fake-clock.js';
import { API_KEY, captureStderr, DIALECTS, exportOnce, storedLogs, type Dialect, type Stored } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';
import { CHAT_ATTRIBUTES, startSpan } from './helpers/spans.js';
import { until } from './helpers/until.js';

/**
 * Evaluations recorded on spans (`gen_ai.evaluation.result` events) reach the server attached to
 * the log of their span, after that log is created: v4 feedback on the log's id, v5 evaluator
 * logs whose parent is the log. Spans come from a real NodeTracerProvider, over real sockets to
 * the local log server.
 */

const scope = testScope();
afterEach(() => void vi.restoreAllMocks());

const RELEVANCE: Attributes = {
  'gen_ai.evaluation.name': 'Relevance',
  'gen_ai.evaluation.score.value': 4,
  'gen_ai.evaluation.score.label': 'relevant',
  'gen_ai.evaluation.explanation': 'Answers the question asked.',
};
const TOXICITY: Attributes = { 'gen_ai.evaluation.name': 'Toxicity', 'gen_ai.evaluation.score.label': 'pass' };
const WORKFLOW: Attributes = { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'support' };

/** A NodeTracerProvider whose spans go to `processors`, named `support-bot`. */
function provider(...processors: SpanProcessor[]) {
  const tracerProvider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'support-bot' }), spanProcessors: processors });
  scope.defer(() => tracerProvider.shutdown());
  return tracerProvider.getTracer('evaluations');
}

/** HumanloopSpanProcessor on a fake clock, pointed at `server`. */
function processorFor(server: TestLogServer, api: Dialect, options: HumanloopSpanExporterOptions = {}) {
  const processor = new HumanloopSpanProcessor(
    { api, apiKey: API_KEY, baseUrl: server.url, batch: { scheduledDelayMillis: 10 }, ...options },
    { clock: new FakeClock(), random: () => 0.5, env: {} },
  );
  return { processor, tracer: provider(processor) };
}

/** Ended chat spans from a real provider, each with these evaluation events. */
function evaluatedChats(count: number, ...results: Attributes[]) {
  const memory = new InMemorySpanExporter();
  const tracer = provider(new SimpleSpanProcessor(memory));
  for (let i = 0; i < count; i++) {
    const chat = startSpan(tracer, 'chat gpt-4o', CHAT_ATTRIBUTES);
    for (const result of results) chat.addEvent('gen_ai.evaluation.result', result);
    chat.end();
  }
  return memory.getFinishedSpans();
}

function evaluate(span: Span, ...results: Attributes[]): void {
  for (const result of results) span.addEvent('gen_ai.evaluation.result', result);
}

/** The judgements the server keeps on a log, in one shape for both APIs. */
function judgmentsOf(stored: Stored, api: Dialect): Array<{ name: unknown; value: unknown; on: unknown }> {
  if (api === 'v4') {
    const feedback = (stored.log.feedback ?? []) as Array<Record<string, unknown>>;
    return feedback.map((item) => ({ name: item.type, value: item.value, on: item.data_id }));
  }
  const judged = (stored.log.evaluator_logs ?? []) as Array<Record<string, unknown>>;
  return judged.map((item) => ({ name: String(item.path).split('/').pop(), value: item.judgment, on: item.parent_id }));
}

function evaluationRequests(server: TestLogServer) {
  return server.requests().filter((request) => /\/(feedback|evaluators\/log)$/.test(request.path));
}

describe.each(DIALECTS)('evaluations (%s)', (api) => {
  it('of a log created whole go once it is created, each attached to it', async () => {
    const server = await scope.server({ api });
    const { processor, tracer } = processorFor(server, api);
    const chat = startSpan(tracer, 'chat gpt-4o', CHAT_ATTRIBUTES);
    evaluate(chat, RELEVANCE, TOXICITY);
    chat.end();
    await processor.forceFlush();

    const [log] = storedLogs(server, api);
    expect(judgmentsOf(log, api)).toEqual([
      { name: 'Relevance', value: 4, on: log.id },
      { name: 'Toxicity', value: 'pass', on: log.id },
    ]);
    expect(processor.exporter.stats().evaluations).toEqual({ seen: 2, delivered: 2, spooled: 0, dropped: {} });
    expect(processor.exporter.stats().spans).toMatchObject({ seen: 1, delivered: 1 });
    // v4 sends both in one request (POST /feedback takes an array); v5 has one evaluator log per request.
    expect(evaluationRequests(server)).toHaveLength(api === 'v4' ? 1 : 2);
  });

  it('of a log opened early go when its span ends, under the log already created', async () => {
    const server = await scope.server({ api });
    const { processor, tracer } = processorFor(server, api);
    const workflow = startSpan(tracer, 'invoke_workflow support', WORKFLOW);
    const chat = startSpan(tracer, 'chat gpt-4o', CHAT_ATTRIBUTES, workflow);
    chat.end();
    await processor.forceFlush();
    const opened = storedLogs(server, api).find((log) => log.spanId === workflow.spanContext().spanId)!;
    expect(opened, 'the workflow, opened while it ran').toBeDefined();
    expect(judgmentsOf(opened, api)).toEqual([]);

    evaluate(workflow, RELEVANCE);
    workflow.end();
    await processor.forceFlush();
    const completed = storedLogs(server, api).find((log) => log.spanId === workflow.spanContext().spanId)!;
    expect(completed.id).toBe(opened.id);
    expect(judgmentsOf(completed, api)).toEqual([{ name: 'Relevance', value: 4, on: opened.id }]);
    expect(processor.exporter.stats().evaluations).toEqual({ seen: 1, delivered: 1, spooled: 0, dropped: {} });
  });

  it('keep the label, and the explanation when content is captured', async () => {
    const server = await scope.server({ api });
    const { processor, tracer } = processorFor(server, api);
    const chat = startSpan(tracer, 'chat gpt-4o', CHAT_ATTRIBUTES);
    evaluate(chat, RELEVANCE);
    chat.end();
    await processor.forceFlush();
    const [log] = storedLogs(server, api);
    if (api === 'v4') {
      expect(log.log.feedback).toEqual([expect.objectContaining({ type: 'Relevance', value: 4, data_id: log.id })]);
      return;
    }
    expect(log.log.evaluator_logs).toEqual([
      expect.objectContaining({
        path: 'support-bot/evaluators/Relevance',
        parent_id: log.id,
        judgment: 4,
        metadata: { score: 4, label: 'relevant' },
        output: 'Answers the question asked.',
        spec: { evaluator_type: 'external', arguments_type: 'target_free', return_type: 'number' },
      }),
    ]);
  });

  it('of a log the server refuses are counted dropped, and the user hears of it', async () => {
    const server = await scope.server({ api });
    const stderr = captureStderr();
    const exporter = scope.exporter(server.url, { api });
    server.inject({ status: 400 });
    const result = await exportOnce(exporter, evaluatedChats(1, RELEVANCE, TOXICITY));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(exporter.stats().spans).toMatchObject({ seen: 1, delivered: 0, dropped: { rejected: 1 } });
    expect(exporter.stats().evaluations).toEqual({ seen: 2, delivered: 0, spooled: 0, dropped: { log_dropped: 2 } });
    expect(evaluationRequests(server)).toEqual([]);
    expect(stderr.join('')).toMatch(/2 evaluations dropped: the log they judge was not delivered/);
  });

  it('refused themselves are counted dropped, and their log stays delivered', async () => {
    const server = await scope.server({ api });
    const stderr = captureStderr();
    const exporter = scope.exporter(server.url, { api });
    server.setFaultPlan((request) => (/\/(feedback|evaluators\/log)$/.test(request.path) ? { status: 400 } : undefined));
    await exportOnce(exporter, evaluatedChats(1, RELEVANCE));
    expect(exporter.stats().spans).toMatchObject({ seen: 1, delivered: 1 });
    expect(exporter.stats().evaluations).toEqual({ seen: 1, delivered: 0, spooled: 0, dropped: { rejected: 1 } });
    expect(stderr.join('')).toMatch(/1 evaluation dropped: /);
  });

  it('wait through an outage with their log, and go after it once the server is back', async () => {
    const server = await scope.server({ api });
    server.down();
    const clock = new FakeClock();
    const exporter = scope.exporter(server.url, { api, exportTimeoutMillis: 5_000 }, clock);
    await exportOnce(exporter, evaluatedChats(2, RELEVANCE));
    expect(exporter.stats()).toMatchObject({ bufferedLogs: 2, evaluations: { seen: 2, delivered: 0 } });

    server.up();
    clock.advance(60_000);
    await until(() => exporter.stats().evaluations.delivered === 2, 'the evaluations of the kept logs');
    for (const log of storedLogs(server, api)) expect(judgmentsOf(log, api)).toEqual([{ name: 'Relevance', value: 4, on: log.id }]);
    expect(exporter.stats()).toMatchObject({ bufferedLogs: 0, spans: { delivered: 2 }, evaluations: { seen: 2, delivered: 2, dropped: {} } });
  });

  it('that fail for a while after their log was created are kept, and tried again', async () => {
    const server = await scope.server({ api });
    const clock = new FakeClock();
    const exporter = scope.exporter(server.url, { api, exportTimeoutMillis: 5_000 }, clock);
    server.setFaultPlan((request) => (/\/(feedback|evaluators\/log)$/.test(request.path) ? { status: 503 } : undefined));
    await exportOnce(exporter, evaluatedChats(1, RELEVANCE));
    expect(exporter.stats()).toMatchObject({ bufferedLogs: 1, spans: { delivered: 1 }, evaluations: { seen: 1, delivered: 0 } });

    server.setFaultPlan(undefined);
    clock.advance(60_000);
    await until(() => exporter.stats().evaluations.delivered === 1, 'the kept evaluation');
    const [log] = storedLogs(server, api);
    expect(judgmentsOf(log, api)).toEqual([{ name: 'Relevance', value: 4, on: log.id }]);
  });

  it('are spooled at shutdown with their log, and delivered by the next process', async () => {
    const server = await scope.server({ api });
    const spoolDir = scope.tempDir();
    server.down();
    const first = scope.exporter(server.url, { api, spoolDir });
    await exportOnce(first, evaluatedChats(1, RELEVANCE, TOXICITY));
    await first.shutdown();
    expect(first.stats()).toMatchObject({ spans: { seen: 1, spooled: 1 }, evaluations: { seen: 2, delivered: 0, spooled: 2, dropped: {} } });

    server.up();
    const next = scope.exporter(server.url, { api, spoolDir });
    await until(() => storedLogs(server, api).length === 1, 'the spooled log');
    await next.forceFlush();
    const [log] = storedLogs(server, api);
    expect(judgmentsOf(log, api).map((judgment) => judgment.name)).toEqual(['Relevance', 'Toxicity']);
    expect(next.stats().evaluations).toEqual({ seen: 2, delivered: 2, spooled: 0, dropped: {} });
  });

  it('kept on their own at shutdown are spooled, and delivered by the next process under the log already there', async () => {
    const server = await scope.server({ api });
    const spoolDir = scope.tempDir();
    server.setFaultPlan((request) => (/\/(feedback|evaluators\/log)$/.test(request.path) ? { status: 503 } : undefined));
    const first = scope.exporter(server.url, { api, spoolDir, exportTimeoutMillis: 5_000 });
    await exportOnce(first, evaluatedChats(1, RELEVANCE));
    await first.shutdown();
    expect(first.stats()).toMatchObject({ spans: { seen: 1, delivered: 1 }, evaluations: { seen: 1, spooled: 1, dropped: {} } });

    server.setFaultPlan(undefined);
    const next = scope.exporter(server.url, { api, spoolDir });
    await until(() => next.stats().evaluations.delivered === 1, 'the spooled evaluation');
    const [log] = storedLogs(server, api);
    expect(storedLogs(server, api)).toHaveLength(1);
    expect(judgmentsOf(log, api)).toEqual([{ name: 'Relevance', value: 4, on: log.id }]);
  });

  it('without a spoolDir are counted lost at shutdown, with their log', async () => {
    const server = await scope.server({ api });
    captureStderr();
    server.down();
    const exporter = scope.exporter(server.url, { api });
    await exportOnce(exporter, evaluatedChats(1, RELEVANCE));
    await exporter.shutdown();
    expect(exporter.stats()).toMatchObject({ spans: { dropped: { shutdown: 1 } }, evaluations: { seen: 1, delivered: 0, dropped: { shutdown: 1 } } });
  });
});
