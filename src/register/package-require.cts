// The `require` of this package's own location, in the ESM build as in the CommonJS one: packages
// the application may have installed (the OpenTelemetry SDK, an instrumentation helper) are found
// from here, as a dependency of the application would be, and loaded only when asked for.
export = require;
