import type { OutgoingLog } from '../log/outgoing-log.js';
import { objectOf, toOutgoing } from '../log/encoding.js';

const MIN_FIELD_CHARS = 256;
const MAX_ROUNDS = 64;
const MARK = '… [truncated by humanloop-otel-exporter]';

/**
 * Cuts the largest strings of a log until its JSON fits in `maxBytes`, and says so in
 * `metadata.truncated` (and in the cut texts). Returns undefined when it cannot get that small.
 */
export function shrinkToFit(item: OutgoingLog, maxBytes: number): OutgoingLog | undefined {
  const originalBytes = item.bytes;
  const log = objectOf(item);
  // A completion carries only the fields an update may set: its truncation marks show in the text.
  if (!item.completes) {
    const metadata = typeof log.metadata === 'object' && log.metadata !== null ? log.metadata : {};
    log.metadata = { ...metadata, truncated: { reason: 'payload too large', original_bytes: originalBytes } };
  }
  let json = JSON.stringify(log);
  for (let round = 0; round < MAX_ROUNDS && Buffer.byteLength(json) > maxBytes; round++) {
    const excess = Buffer.byteLength(json) - maxBytes;
    if (!cutLargestString(log, excess)) return undefined;
    json = JSON.stringify(log);
  }
  if (Buffer.byteLength(json) > maxBytes) return undefined;
  return { ...toOutgoing(item.key, log, item.completes), route: item.route, open: item.open, leads: item.leads };
}

function cutLargestString(log: Record<string, unknown>, excess: number): boolean {
  const largest = findLargestString(log);
  if (!largest || largest.value.length <= MIN_FIELD_CHARS) return false;
  const keep = Math.max(MIN_FIELD_CHARS, Math.min(largest.value.length - excess - MARK.length, largest.value.length >> 1));
  largest.holder[largest.key] = largest.value.slice(0, keep) + MARK;
  return true;
}

interface Found {
  holder: Record<string | number, unknown>;
  key: string | number;
  value: string;
}

function findLargestString(root: Record<string, unknown>): Found | undefined {
  let best: Found | undefined;
  const stack: Array<Record<string | number, unknown>> = [root];
  for (let visited = 0; stack.length > 0 && visited < 100_000; visited++) {
    const holder = stack.pop()!;
    for (const [key, value] of Object.entries(holder)) {
      if (typeof value === 'string') {
        if (!best || value.length > best.value.length) best = { holder, key, value };
      } else if (typeof value === 'object' && value !== null) {
        stack.push(value as Record<string, unknown>);
      }
    }
  }
  return best;
}
