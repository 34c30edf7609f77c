/**
 * Who may reach the local server, before any route is looked at. A browser on this machine may
 * be made to send requests here by any site it has open; two rules keep those sites from reading
 * the logs: a request must name a host the server answers to in its `Host` header (see
 * host-check.ts: a site that rebinds its own DNS name to 127.0.0.1 still sends its own name), and
 * no CORS header is ever sent.
 */
import { isLoopbackHost } from '../common/loopback.js';

/** Whether the peer's address is this machine's: only then may it read without the key. */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return isLoopbackHost(plain);
}
