/** Whether a host name or address is this machine's loopback: `localhost`, `127.x.x.x` or `::1`, bracketed or not. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}
