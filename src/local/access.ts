/**
 * Who may reach the local server, before any route is looked at. A browser on this machine may
 * be made to send requests here by any site it has open; two rules keep those sites from reading
 * the logs: a request must name a loopback host in its `Host` header (a site that rebinds its own
 * DNS name to 127.0.0.1 still sends its own name), and no CORS header is ever sent.
 */
import { isLoopbackHost } from '../exporter/config.js';

// A host name or bracketed IPv6 address, then an optional port; nothing else (no user info, no path).
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

/** Whether a `Host` header names this machine: localhost, a name under .localhost, 127.x.x.x or [::1]. */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  const match = header === undefined ? null : HOST_HEADER.exec(header);
  if (!match?.[1]) return false;
  const host = match[1].toLowerCase().replace(/\.$/, '');
  return isLoopbackHost(host) || host.endsWith('.localhost');
}

/** Whether the peer's address is this machine's: only then may it read without the key. */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return isLoopbackHost(plain);
}
