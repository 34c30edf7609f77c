import { context, propagation, trace, type TracerProvider } from '@opentelemetry/api';
import { registeredGlobally } from '../common/api-globals.js';
import { ConfigurationError } from '../config/config.js';
import { describeError, logger, misconfigured } from '../common/diag.js';
import { shutdownOnExit } from './exit-hooks.js';
import { findInstalled } from './installed.js';
import type { SpanProcessor } from '../common/otel.js';
import { HumanloopSpanProcessor, type HumanloopSpanProcessorOptions } from '../exporter/processor.js';
import { findTracerSdk, type SdkTracerProvider, type TracerSdk } from './tracer-sdk.js';

/** An OpenTelemetry instrumentation (OpenLLMetry, OpenInference...): what the set-up calls on it. */
export interface InstrumentationLike {
  setTracerProvider(provider: TracerProvider): void;
  enable?(): void;
  getConfig?(): { enabled?: boolean };
}

export interface RegisterHumanloopOptions extends HumanloopSpanProcessorOptions {
  /**
   * Instrumentations to trace through the provider (and enable if they were created disabled),
   * with `registerInstrumentations` of `@opentelemetry/instrumentation` when the application has
   * it. Nested arrays are flattened.
   */
  instrumentations?: ReadonlyArray<InstrumentationLike | ReadonlyArray<InstrumentationLike>>;
  /** More span processors on the same provider (an OTLP exporter's `BatchSpanProcessor`, say). */
  spanProcessors?: SpanProcessor[];
  /** The provider's resource, made with the SDK's `resourceFromAttributes`. Default: the SDK's own. */
  resource?: object;
  /** Flush and shut down on SIGTERM, SIGINT and when the event loop empties (`beforeExit`). Default true. */
  shutdownOnExit?: boolean;
}

/** What `registerHumanloop` built and registered. */
export interface HumanloopRegistration {
  /** The tracer provider, registered globally. */
  provider: SdkTracerProvider;
  /** The Humanloop span processor on it. */
  processor: HumanloopSpanProcessor;
  /** Sends what every processor of the provider holds (at the end of a serverless invocation). Never rejects. */
  forceFlush: () => Promise<void>;
  /** Flushes and shuts the provider down, and removes the exit hooks. Never rejects; the first call does it. */
  shutdown: () => Promise<void>;
}

const NO_SDK =
  'registerHumanloop needs the OpenTelemetry JS SDK: install @opentelemetry/sdk-trace-node (SDK 2), ' +
  'or @opentelemetry/sdk-trace and @opentelemetry/context-async-hooks (SDK 3, Node 22.15+)';

/**
 * The one-call set-up: a tracer provider of the OpenTelemetry JS SDK the application has installed
 * (2.x or 3.x, loaded now), with a `HumanloopSpanProcessor` (and `spanProcessors`), an
 * AsyncLocalStorage context manager and the W3C propagators, all registered globally; the
 * `instrumentations` traced through it; and, unless `shutdownOnExit` is false, a flush and
 * shutdown when the process is stopped or runs out of work. Throws a `ConfigurationError` when no
 * SDK is installed or an option is invalid.
 */
export function registerHumanloop(options: RegisterHumanloopOptions = {}): HumanloopRegistration {
  const { instrumentations = [], spanProcessors = [], resource, shutdownOnExit: onExit = true, ...processorOptions } = options;
  const instrumentationList = flattenInstrumentations(instrumentations);
  const sdk = findTracerSdk();
  if ('missing' in sdk) throw new ConfigurationError(sdk.missing ? `${NO_SDK} (found but not loadable: ${sdk.missing})` : NO_SDK);
  const processor = new HumanloopSpanProcessor(processorOptions);
  const provider = sdk.createProvider({ spanProcessors: [...spanProcessors, processor], ...(resource ? { resource } : {}) });
  registerGlobals(provider, sdk);
  traceInstrumentations(provider, instrumentationList);
  logger.debug(`registerHumanloop: a tracer provider of ${sdk.name}, ${instrumentationList.length} instrumentations`);

  let removeHooks = (): void => undefined;
  let stopped: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    removeHooks();
    stopped ??= provider.shutdown().catch((error: unknown) => logger.error(`could not shut down: ${describeError(error)}`));
    return stopped;
  };
  if (onExit) removeHooks = shutdownOnExit(shutdown);
  const forceFlush = (): Promise<void> =>
    provider.forceFlush().catch((error: unknown) => logger.error(`could not flush: ${describeError(error)}`));
  return { provider, processor, forceFlush, shutdown };
}

function flattenInstrumentations(list: RegisterHumanloopOptions['instrumentations'] & object): InstrumentationLike[] {
  const flat = list.flat();
  flat.forEach((instrumentation, index) => {
    if (typeof (instrumentation as Partial<InstrumentationLike> | null)?.setTracerProvider !== 'function') {
      throw new ConfigurationError(`registerHumanloop: instrumentations[${index}] is not an instrumentation (it has no setTracerProvider)`);
    }
  });
  return flat;
}

/** The provider, context manager and propagators as the API's globals; what could not be registered is said once. */
function registerGlobals(provider: SdkTracerProvider, sdk: TracerSdk): void {
  const manager = sdk.contextManager();
  if (typeof manager === 'string') {
    if (!registeredGlobally('context')) {
      misconfigured(`registerHumanloop: ${manager}, so spans do not nest (an LLM call is not logged under its agent); install it beside the SDK`);
    }
  } else if (!context.setGlobalContextManager(manager)) {
    manager.disable();
  }
  const propagator = sdk.propagator();
  if (propagator) propagation.setGlobalPropagator(propagator);
  if (!trace.setGlobalTracerProvider(provider)) {
    misconfigured(
      'registerHumanloop: a tracer provider was already registered globally, so spans of the global tracer do not reach ' +
        'Humanloop; add a HumanloopSpanProcessor to that provider instead, or call registerHumanloop first',
    );
  }
}

type RegisterInstrumentations = (options: { instrumentations: InstrumentationLike[]; tracerProvider: TracerProvider }) => unknown;

/** Each instrumentation traces through `provider`, enabled. */
function traceInstrumentations(provider: SdkTracerProvider, instrumentations: InstrumentationLike[]): void {
  if (instrumentations.length === 0) return;
  const helper = findInstalled<{ registerInstrumentations?: RegisterInstrumentations }>('@opentelemetry/instrumentation');
  if (helper.found && typeof helper.module.registerInstrumentations === 'function') {
    helper.module.registerInstrumentations({ instrumentations, tracerProvider: provider });
    return;
  }
  for (const instrumentation of instrumentations) {
    instrumentation.setTracerProvider(provider);
    if (instrumentation.getConfig?.().enabled === false) instrumentation.enable?.();
  }
}
