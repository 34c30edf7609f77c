/** Where @opentelemetry/api 1.x keeps its globals (the same symbol in every copy of the API). */
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

/** Whether the application (or a library) has registered this global of the OpenTelemetry API. */
export function registeredGlobally(kind: 'diag' | 'context' | 'trace' | 'propagation'): boolean {
  const globals = (globalThis as Record<symbol, Partial<Record<string, unknown>> | undefined>)[API_GLOBALS];
  return globals?.[kind] !== undefined;
}
