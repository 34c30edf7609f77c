export { HumanloopSpanExporter, type ExporterInternals, type ExporterStats } from './exporter/exporter.js';
export { ExportResultCode, type ExportResult, type ReadableSpan, type SpanExporter, type SpanProcessor } from './common/otel.js';
export type { SpanCounts, SpanDropReason } from './log/fate.js';
export type { EvaluationCounts, EvaluationDropReason } from './log/evaluation.js';
export { HumanloopExportError, type ExportErrorReason } from './common/errors.js';
export { HumanloopSpanProcessor, type HumanloopSpanProcessorOptions, type SpanQueueOptions } from './exporter/processor.js';
export { withHumanloop, type HumanloopContext } from './context/with-humanloop.js';
export { HumanloopContextSpanProcessor, type HumanloopContextOptions } from './context/context-processor.js';
export type { BaggageOption } from './context/baggage-entries.js';
export type { ContextMetadataValue } from './context/context-values.js';
export {
  registerHumanloop,
  type HumanloopRegistration,
  type InstrumentationLike,
  type RegisterHumanloopOptions,
} from './register/register.js';
export type { SdkTracerProvider } from './register/tracer-sdk.js';
export {
  ConfigurationError,
  configurationProblem,
  DEFAULT_BASE_URL,
  type HumanloopSpanExporterOptions,
  type HumanloopEnvVar,
} from './config/config.js';
export { mapSpan, type Evaluation, type SpanMapping, type SpanMapperOptions, type SkipReason } from './mapping/map-span.js';
export type { Clock } from './common/clock.js';
export type {
  AgentConfig,
  ChatMessage,
  ChatRole,
  ContentPart,
  CreateLogResponse,
  GenericConfig,
  ImageContent,
  LogConfig,
  LogRequest,
  ModelConfig,
  ModelConfigTool,
  ModelEndpoint,
  ModelProvider,
  TextContent,
  ToolCall,
  ToolConfig,
  UpdateLogRequest,
} from './log/log-request.js';
export { VERSION } from './common/version.js';
