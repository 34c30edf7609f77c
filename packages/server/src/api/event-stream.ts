/**
 * The web page's live feed: server-sent events. A page that connects gets every stored log at
 * once (`snapshot`), then each log as it is stored or updated (`log`). Each event is one JSON
 * line (JSON never holds a raw newline), the log with the summary the page draws it by.
 */
import type { ServerResponse } from 'node:http';
import { summarize, type AnyStoredLog } from './log-summary.js';

/** A log stored or updated, and which API it came in by. */
export type LogChange = AnyStoredLog & { change: 'stored' | 'updated' };

/** How long a page waits before reconnecting after the stream breaks. */
const RETRY_MILLIS = 1_000;
/** A page this far behind is cut off; it reconnects and starts over from a snapshot. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export class EventStreams {
  private readonly _clients = new Set<ServerResponse>();

  /** Starts a stream on `res`: the snapshot now, changes as they come, until the client goes. */
  open(res: ServerResponse, snapshot: readonly AnyStoredLog[]): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.write(`retry: ${RETRY_MILLIS}\n\n`);
    res.write(event('snapshot', { logs: snapshot.map(withSummary) }));
    this._clients.add(res);
    res.once('close', () => this._clients.delete(res));
  }

  publish(change: LogChange): void {
    if (this._clients.size === 0) return;
    this._broadcast(event('log', { change: change.change, ...withSummary(change) }));
  }

  /** Tells every page to start over from this snapshot (after `clear()`). */
  reset(snapshot: readonly AnyStoredLog[]): void {
    if (this._clients.size === 0) return;
    this._broadcast(event('snapshot', { logs: snapshot.map(withSummary) }));
  }

  private _broadcast(message: string): void {
    for (const res of this._clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
      else res.write(message);
    }
  }
}

function withSummary(entry: AnyStoredLog): Record<string, unknown> {
  return { api: entry.api, log: entry.log, summary: summarize(entry) };
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
