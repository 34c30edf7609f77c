/**
 * The web page's live feed: server-sent events. A page that connects gets the newest stored logs
 * (`snapshot`: a page of them, and the cursor of the page before, `older`), then each log as it
 * is stored or updated (`log`). Older pages are read on request (`GET /older`, viewer-routes.ts).
 * Each event is one JSON line (JSON never holds a raw newline), the log with the summary the page
 * draws it by.
 */
import type { ServerResponse } from 'node:http';
import { summarize, type AnyStoredLog } from './log-summary.js';

/** A log stored or updated, and which API it came in by. */
export type LogChange = AnyStoredLog & { change: 'stored' | 'updated' };

/** A page of logs, newest first, and the cursor of the page before it (none: no older logs). */
export interface LogsPage {
  logs: readonly AnyStoredLog[];
  older: string | undefined;
}

/** How long a page waits before reconnecting after the stream breaks. */
const RETRY_MILLIS = 1_000;
/** A page this far behind is cut off; it reconnects and starts over from a snapshot. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export class EventStreams {
  private readonly _clients = new Set<ServerResponse>();
  /** Clients whose first page is being read: what is published meanwhile waits for it. */
  private readonly _waiting = new Map<ServerResponse, string[]>();

  /**
   * Starts a stream on `res`: the first page once `firstPage` reads it, changes as they come (those
   * published while it was read follow it), until the client goes.
   */
  async open(res: ServerResponse, firstPage: () => Promise<LogsPage>): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.write(`retry: ${RETRY_MILLIS}\n\n`);
    const held: string[] = [];
    this._waiting.set(res, held);
    res.once('close', () => {
      this._waiting.delete(res);
      this._clients.delete(res);
    });
    try {
      res.write(snapshotEvent(await firstPage()));
    } catch (error) {
      res.destroy();
      throw error;
    } finally {
      this._waiting.delete(res);
    }
    if (res.destroyed) return;
    for (const message of held) res.write(message);
    this._clients.add(res);
  }

  publish(change: LogChange): void {
    if (this._clients.size === 0 && this._waiting.size === 0) return;
    this._broadcast(event('log', { change: change.change, ...withSummary(change) }));
  }

  /** Tells every page to start over from this page (after `clear()`). */
  reset(page: LogsPage): void {
    if (this._clients.size === 0 && this._waiting.size === 0) return;
    this._broadcast(snapshotEvent(page));
  }

  private _broadcast(message: string): void {
    for (const held of this._waiting.values()) held.push(message);
    for (const res of this._clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
      else res.write(message);
    }
  }
}

/** A page of logs as the page reads them: each with its summary. */
export function pageBody(page: LogsPage): { logs: Array<Record<string, unknown>>; older: string | null } {
  return { logs: page.logs.map(withSummary), older: page.older ?? null };
}

function snapshotEvent(page: LogsPage): string {
  return event('snapshot', pageBody(page));
}

function withSummary(entry: AnyStoredLog): Record<string, unknown> {
  return { api: entry.api, log: entry.log, summary: summarize(entry) };
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
