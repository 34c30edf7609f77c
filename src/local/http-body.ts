import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { kind: 'complete'; bytes: Buffer }
  | { kind: 'too-large' }
  /** The client went away before the body was complete. */
  | { kind: 'aborted' };

export type JsonParse = { ok: true; value: unknown } | { ok: false; msg: string };

/**
 * Deeper documents are refused: copying or serializing them would overflow the stack (the
 * real API's Python JSON parser has a similar limit), and no log needs anywhere near this.
 */
export const MAX_JSON_DEPTH = 256;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the body, keeping at most `maxBytes`. A larger body is drained and thrown away (rather
 * than the connection cut) so the client can read the 413 instead of seeing a reset.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => {
      req.off('data', onData);
      chunks.length = 0;
      req.resume();
      resolve({ kind: 'too-large' });
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return tooLarge();
      chunks.push(chunk);
    };
    req.once('error', () => resolve({ kind: 'aborted' }));
    req.once('close', () => resolve(req.complete ? { kind: 'complete', bytes: Buffer.concat(chunks) } : { kind: 'aborted' }));
    req.once('end', () => resolve({ kind: 'complete', bytes: Buffer.concat(chunks) }));
    if (Number(req.headers['content-length']) > maxBytes) return tooLarge();
    req.on('data', onData);
  });
}

/** True for `application/json`, with or without parameters such as `charset=utf-8`. */
export function isJsonContentType(header: string | undefined): boolean {
  const mediaType = (header ?? '').split(';', 1)[0] ?? '';
  return mediaType.trim().toLowerCase() === 'application/json';
}

export function parseJson(bytes: Buffer): JsonParse {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, msg: 'body is not valid UTF-8' };
  }
  if (nestingExceeds(text, MAX_JSON_DEPTH)) return { ok: false, msg: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, msg: 'body is not valid JSON' };
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/** Scans the text rather than the parsed value, so a hostile document is refused before it is built. */
function nestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) depth--;
  }
  return false;
}
