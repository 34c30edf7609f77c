import { readFileSync } from 'node:fs';
import type { SpanKind} from '@opentelemetry/api';
import { TraceFlags, type Attributes, type HrTime, type SpanStatus } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A span as scripts/capture-fixtures.mjs writes it. */
export interface SpanJson {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startTime: HrTime;
  endTime: HrTime;
  status: SpanStatus;
  attributes: Attributes;
  events: Array<{ name: string; time: HrTime; attributes?: Attributes }>;
  resource: Attributes;
  scope: { name: string; version?: string };
}

export interface Fixture {
  scenario: string;
  packages: Record<string, string>;
  spans: ReadableSpan[];
  /** The nth span with this name (in end order). */
  span(name: string, nth?: number): ReadableSpan;
}

/** Spans captured from real instrumentation packages, back as ReadableSpans. */
export function loadFixture(scenario: string): Fixture {
  const url = new URL(`../fixtures/${scenario}.json`, import.meta.url);
  const data = JSON.parse(readFileSync(url, 'utf8')) as { packages: Record<string, string>; spans: SpanJson[] };
  const spans = data.spans.map(toReadableSpan);
  return {
    scenario,
    packages: data.packages,
    spans,
    span: (name, nth = 0) => {
      const found = spans.filter((span) => span.name === name)[nth];
      if (!found) throw new Error(`no span ${name} #${nth} in ${scenario}`);
      return found;
    },
  };
}

export function toReadableSpan(json: SpanJson): ReadableSpan {
  const duration: HrTime = [json.endTime[0] - json.startTime[0], json.endTime[1] - json.startTime[1]];
  return {
    name: json.name,
    kind: json.kind,
    spanContext: () => ({ traceId: json.traceId, spanId: json.spanId, traceFlags: TraceFlags.SAMPLED }),
    parentSpanContext: json.parentSpanId
      ? { traceId: json.traceId, spanId: json.parentSpanId, traceFlags: TraceFlags.SAMPLED }
      : undefined,
    startTime: json.startTime,
    endTime: json.endTime,
    status: json.status,
    attributes: json.attributes,
    links: [],
    events: json.events,
    duration,
    ended: true,
    resource: resourceFromAttributes(json.resource),
    instrumentationScope: json.scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
