import type { Server } from 'node:http';

/** Starts `server` listening; rejects (rather than emitting 'error') when the port is taken or the host refused. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
