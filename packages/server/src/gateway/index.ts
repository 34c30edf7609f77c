export { startOtlpGateway, type OtlpGateway, type OtlpGatewayOptions } from './server.js';
export type { GatewayStats } from './gateway-stats.js';
export { convertRequest, GatewaySpan, type ConvertedRequest } from './otlp-spans.js';
export { decodeRequest, type OtlpFormat } from './otlp-codec.js';
export { loadRedactionFile, redactionFromRules, RedactionConfigError, type RedactionRules } from './redaction.js';
