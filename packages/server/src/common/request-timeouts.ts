import type { ServerOptions } from 'node:http';

/** Longest a client may take to send a request's headers, whatever the request timeout. */
const MAX_HEADERS_MILLIS = 10_000;
/** Longest between Node's checks of those timeouts. */
const MAX_CHECK_MILLIS = 5_000;

/**
 * `createServer` options that bound how long a client may take to send one request: all of it
 * within `requestTimeoutMillis`, its headers within 10 s (or that, when shorter). Past either,
 * Node answers 408 and closes the connection. Node looks every `connectionsCheckingInterval`
 * (30 s by default); a quarter of the timeout, at most 5 s, keeps it close to what was set. A
 * response being sent (the local server's live feed) is not bounded: only receiving is.
 */
export function requestTimeouts(requestTimeoutMillis: number): ServerOptions {
  return {
    requestTimeout: requestTimeoutMillis,
    headersTimeout: Math.min(requestTimeoutMillis, MAX_HEADERS_MILLIS),
    connectionsCheckingInterval: Math.max(1, Math.min(MAX_CHECK_MILLIS, Math.floor(requestTimeoutMillis / 4))),
  };
}
