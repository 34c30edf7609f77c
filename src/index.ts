export { HumanloopSpanExporter, type ExporterInternals, type ExporterStats } from './exporter.js';
export { ExportResultCode, type ExportResult, type ReadableSpan, type SpanExporter, type SpanProcessor } from './otel.js';
export type { SpanCounts, SpanDropReason } from './accounting.js';
export { HumanloopExportError, type ExportErrorReason } from './errors.js';
export { HumanloopSpanProcessor, type HumanloopSpanProcessorOptions, type SpanQueueOptions } from './processor.js';
export {
  registerHumanloop,
  type HumanloopRegistration,
  type InstrumentationLike,
  type RegisterHumanloopOptions,
} from './register.js';
export type { SdkTracerProvider } from './tracer-sdk.js';
export {
  ConfigurationError,
  DEFAULT_BASE_URL,
  type HumanloopSpanExporterOptions,
  type HumanloopEnvVar,
} from './config.js';
export { mapSpan, type SpanMapping, type SpanMapperOptions, type SkipReason } from './mapping/map-span.js';
export type { Clock } from './delivery/clock.js';
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
} from './log-request.js';
export { VERSION } from './version.js';
