import type { ContextManager, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import { applicationRequires, findInstalled } from './installed.js';
import type { SpanProcessor } from '../common/otel.js';

/** A tracer provider of the OpenTelemetry JS SDK, 2.x or 3.x: what the one-call set-up uses of it. */
export interface SdkTracerProvider extends TracerProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The constructor options the 2.x and 3.x providers share. */
export interface SdkProviderConfig {
  spanProcessors: SpanProcessor[];
  resource?: object;
}

/** The SDK found in the application, and what goes with it. */
export interface TracerSdk {
  /** The package the provider class comes from, and its major version, as diag messages name it. */
  name: string;
  createProvider(config: SdkProviderConfig): SdkTracerProvider;
  /** An AsyncLocalStorage context manager, or why there is none. */
  contextManager(): ContextManager | string;
  /** The W3C trace context and baggage propagators, when `@opentelemetry/core` is found. */
  propagator(): TextMapPropagator | undefined;
}

type ProviderClass = new (config: SdkProviderConfig) => SdkTracerProvider;

interface Candidate {
  name: string;
  exportName: string;
  /** Taken only from this major version on (`@opentelemetry/sdk-trace` is also part of SDK 2.12+). */
  fromMajor?: number;
}

/**
 * In order of preference: SDK 3 when the application has it, else SDK 2's Node provider, else the
 * providers without a context manager of their own.
 */
const CANDIDATES: Candidate[] = [
  { name: '@opentelemetry/sdk-trace', exportName: 'TracerProvider', fromMajor: 3 },
  { name: '@opentelemetry/sdk-trace-node', exportName: 'NodeTracerProvider' },
  { name: '@opentelemetry/sdk-trace', exportName: 'TracerProvider' },
  { name: '@opentelemetry/sdk-trace-base', exportName: 'BasicTracerProvider' },
];

/** The SDK the application has installed, or why none could be used. */
export function findTracerSdk(): TracerSdk | { missing: string } {
  const reasons: string[] = [];
  for (const candidate of CANDIDATES) {
    const installed = findInstalled<Record<string, unknown>>(candidate.name);
    if (!installed.found) {
      if (installed.reason) reasons.push(`${candidate.name}: ${installed.reason}`);
      continue;
    }
    const Provider = installed.module[candidate.exportName];
    if (candidate.fromMajor !== undefined && (installed.major ?? 0) < candidate.fromMajor) continue;
    if (typeof Provider !== 'function') continue;
    // Packages that come with the SDK are looked for next to it first.
    const near = [installed.require, ...applicationRequires()];
    return {
      name: `${candidate.name} ${installed.major ?? ''}`.trim(),
      createProvider: (config) => new (Provider as ProviderClass)(config),
      contextManager: () => asyncContextManager(near),
      propagator: () => w3cPropagator(near),
    };
  }
  return { missing: reasons.join('; ') };
}

interface ContextManagerClass {
  new (): ContextManager;
}

function asyncContextManager(requires: NodeJS.Require[]): ContextManager | string {
  const name = '@opentelemetry/context-async-hooks';
  const installed = findInstalled<{ AsyncLocalStorageContextManager?: ContextManagerClass }>(name, requires);
  if (!installed.found) return installed.reason ? `${name} could not be loaded (${installed.reason})` : `${name} is not installed`;
  const Manager = installed.module.AsyncLocalStorageContextManager;
  if (typeof Manager !== 'function') return `${name} has no AsyncLocalStorageContextManager`;
  return new Manager().enable();
}

interface CorePropagators {
  CompositePropagator?: new (config: { propagators: TextMapPropagator[] }) => TextMapPropagator;
  W3CTraceContextPropagator?: new () => TextMapPropagator;
  W3CBaggagePropagator?: new () => TextMapPropagator;
}

function w3cPropagator(requires: NodeJS.Require[]): TextMapPropagator | undefined {
  const installed = findInstalled<CorePropagators>('@opentelemetry/core', requires);
  if (!installed.found) return undefined;
  const { CompositePropagator, W3CTraceContextPropagator, W3CBaggagePropagator } = installed.module;
  if (!CompositePropagator || !W3CTraceContextPropagator || !W3CBaggagePropagator) return undefined;
  return new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
}
