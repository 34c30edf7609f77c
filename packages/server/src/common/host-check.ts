/**
 * Which `Host` a server on this machine answers to, before anything else. A page in a browser
 * here can make the browser send requests to a loopback server through a DNS name its site
 * controls, pointed at 127.0.0.1 (DNS rebinding); those requests still carry that name in `Host`.
 * So a server answers only to: the loopback names (localhost, names under .localhost, 127.x.x.x,
 * [::1]); the host it listens on; any IP address when it listens on all of them (0.0.0.0 or ::),
 * since an address involves no name to rebind; and the names a deployment allows (`allowedHosts`:
 * a name, or `.example.com` for that name and every name under it). Ports are not compared.
 */
import { isIP } from 'node:net';
import { isLoopbackHost } from './loopback.js';

/** Whether a request's `Host` header names a host the server answers to. */
export type HostCheck = (header: string | undefined) => boolean;

// A host name or bracketed IPv6 address, then an optional port; nothing else (no user info, no path).
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;
// An allowedHosts entry: a DNS name, with a leading dot for the names under it.
const HOST_NAME = /^\.?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?$/i;
const ALL_ADDRESSES = new Set(['0.0.0.0', '::']);

/** The host a `Host` header names: lower-case, without port, brackets or final dot; undefined when malformed. */
function hostOf(header: string | undefined): string | undefined {
  const match = header === undefined ? null : HOST_HEADER.exec(header);
  return match?.[1] === undefined ? undefined : plainHost(match[1]);
}

function plainHost(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

function isLoopbackName(host: string): boolean {
  return isLoopbackHost(host) || host.endsWith('.localhost');
}

/** Whether a `Host` header names this machine: localhost, a name under .localhost, 127.x.x.x or [::1]. */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  const host = hostOf(header);
  return host !== undefined && isLoopbackName(host);
}

/** The check for a server listening on `listenHost`, answering also to `allowedHosts` (checked with `allowedHostsOption`). */
export function hostCheck(listenHost: string, allowedHosts: readonly string[]): HostCheck {
  const listen = plainHost(listenHost);
  const anyAddress = ALL_ADDRESSES.has(listen);
  const names = new Set(allowedHosts.filter((entry) => !entry.startsWith('.')).map(plainHost));
  const domains = allowedHosts.filter((entry) => entry.startsWith('.')).map(plainHost);
  return (header) => {
    const host = hostOf(header);
    if (host === undefined) return false;
    if (isLoopbackName(host) || host === listen || names.has(host)) return true;
    if (anyAddress && isIP(host) !== 0) return true;
    return domains.some((domain) => host.endsWith(domain) || host === domain.slice(1));
  };
}

/**
 * An `allowedHosts` option as given in code: a list of host names (a leading dot for the names
 * under one) or IP addresses, without scheme or port. Throws a TypeError naming what is wrong.
 */
export function allowedHostsOption(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError('allowedHosts must be a list of host names');
  const problem = hostListProblem(value);
  if (problem !== undefined) throw new TypeError(`allowedHosts: ${problem}`);
  return value as string[];
}

/** Why a list of allowed hosts (`allowedHosts`, `--allowed-host` values) cannot be used, or undefined. */
export function hostListProblem(entries: readonly unknown[]): string | undefined {
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry === '') return 'each entry must be a non-empty string';
    if (isIP(entry.replace(/^\[|\]$/g, '')) === 0 && !HOST_NAME.test(entry)) {
      return `${JSON.stringify(entry)} is not a host name or IP address (give the name alone: no scheme, port or path)`;
    }
  }
  return undefined;
}
