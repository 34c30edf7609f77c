import type { IncomingMessage } from 'node:http';
import { gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import { readBody } from '../common/read-body.js';

/**
 * A request body, read and decompressed within a byte limit (before and after decompression),
 * ending as data: the bytes, or the status the gateway answers with.
 */
export type BodyResult =
  | { ok: true; bytes: Buffer }
  | { ok: false; status: 400 | 413 | 415; problem: string }
  /** The sender went away before the body was complete: nothing to answer. */
  | { ok: false; status: 'aborted' };

export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'deflate') {
    req.resume();
    return { ok: false, status: 415, problem: `Content-Encoding ${encoding.slice(0, 40)} is not supported (gzip, deflate or none)` };
  }
  const raw = await readBody(req, maxBytes);
  if (raw.kind === 'aborted') return { ok: false, status: 'aborted' };
  if (raw.kind === 'too-large') return tooLarge(maxBytes);
  if (encoding === 'identity') return { ok: true, bytes: raw.bytes };
  return decompress(raw.bytes, encoding, maxBytes);
}

function tooLarge(maxBytes: number): BodyResult {
  return { ok: false, status: 413, problem: `the request body is larger than ${maxBytes} bytes` };
}

type Inflate = (input: InputType, options: ZlibOptions, callback: (error: Error | null, result: Buffer) => void) => void;

function decompress(bytes: Buffer, encoding: 'gzip' | 'deflate', maxBytes: number): Promise<BodyResult> {
  const run: Inflate = encoding === 'gzip' ? gunzip : inflate;
  return new Promise((resolve) => {
    run(bytes, { maxOutputLength: maxBytes }, (error, result) => {
      if (!error) return resolve({ ok: true, bytes: result });
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return resolve(tooLarge(maxBytes));
      resolve({ ok: false, status: 400, problem: `the body is not valid ${encoding} data` });
    });
  });
}
