import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { kind: 'complete'; bytes: Buffer }
  | { kind: 'too-large' }
  /** The client went away before the body was complete. */
  | { kind: 'aborted' };

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
