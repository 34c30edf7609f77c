/** What both API versions answer alike: the body as JSON, and the error replies. */
import { isJsonContentType, type JsonParse } from './http-body.js';
import type { ValidationError } from './validate.js';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The parsed body, or why it is not JSON: a wrong content type counts as no JSON. */
export function jsonBody(request: { contentType: string | undefined; body: JsonParse }): JsonParse {
  if (!isJsonContentType(request.contentType)) return { ok: false, msg: 'Content-Type must be application/json' };
  return request.body;
}

export function invalidBody(msg: string): Reply {
  return unprocessable([{ loc: ['body'], msg, type: 'value_error.jsondecode' }]);
}

export function unprocessable(errors: ValidationError[]): Reply {
  return { status: 422, body: { detail: errors } };
}

export function detail(status: number, message: string): Reply {
  return { status, body: { detail: message } };
}

/** The decoded path segment, or null when its percent-encoding is broken. */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The request target's path, without the query. */
export function pathOf(target: string): string {
  const queryAt = target.indexOf('?');
  return queryAt === -1 ? target : target.slice(0, queryAt);
}
