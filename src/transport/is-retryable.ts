/** Statuses that say "try again later": timeouts, rate limits and server-side trouble. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Errors that come from the client's own state or arguments: retrying cannot help. */
const PERMANENT_ERROR_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_DESTROYED',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

export function isRetryableStatus(statusCode: number): boolean {
  return RETRYABLE_STATUS.has(statusCode);
}

/** Connection resets, refusals, DNS hiccups and timeouts are retried; client-side misuse is not. */
export function isRetryableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') return !PERMANENT_ERROR_CODES.has(code);
  const { name } = error as { name?: unknown };
  return name === 'TimeoutError' || name === 'AbortError' || name === 'SocketError';
}
