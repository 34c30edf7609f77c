/** Kept equal to package.json's version by a test. */
export const VERSION = '0.1.0';

export const USER_AGENT = `humanloop-otel-exporter/${VERSION} (node ${process.versions.node})`;
