import { request } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request to 127.0.0.1 with exactly these headers, Host included (fetch will not send a Host of our choosing). */
export function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, timeout: 2_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends `head` on a raw connection, then one byte every `everyMillis` (a client that drips its
 * request), until the server closes the connection: resolves with what it answered. Rejects
 * after `timeoutMillis`, or after as many bytes as fit in it.
 */
export function dripUntilClosed(port: number, head: string, { everyMillis = 50, timeoutMillis = 5_000 } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    let sent = 0;
    const drip = setInterval(() => {
      if (++sent * everyMillis > timeoutMillis) socket.destroy(new Error(`still open after ${timeoutMillis} ms`));
      else if (socket.writable) socket.write('a');
    }, everyMillis);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    // A reset after the answer (the server closing while bytes still arrive) is a close all the same.
    socket.on('error', (error) => (clearInterval(drip), answer === '' ? reject(error) : resolve(answer)));
    socket.on('close', () => (clearInterval(drip), resolve(answer)));
  });
}
