/**
 * The web page's routes: `/` (the page), `/viewer.css`, `/viewer.js`, `/events` (its live feed:
 * the newest page of logs, then changes) and `/older?cursor=…` (the page of logs before a cursor).
 * The page is static; the logs reach it only through `/events` and `/older`, which, like the log API's
 * reads, answers this machine's peers without a key. A strict Content-Security-Policy lets the
 * page run only its own script, so a log's text could not run as code even if it were drawn as HTML.
 */
import { VIEWER_CSS, VIEWER_HTML } from './viewer/page.js';
import { VIEWER_SCRIPT } from './viewer/script.js';

export const EVENTS_PATH = '/events';
export const OLDER_PATH = '/older';
/** Logs the page gets at once: its first page, and each older page. */
export const DEFAULT_VIEWER_PAGE_SIZE = 500;

export interface ViewerAsset {
  type: string;
  body: string;
}

const ASSETS: ReadonlyMap<string, ViewerAsset> = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: VIEWER_HTML }],
  ['/index.html', { type: 'text/html; charset=utf-8', body: VIEWER_HTML }],
  ['/viewer.css', { type: 'text/css; charset=utf-8', body: VIEWER_CSS }],
  ['/viewer.js', { type: 'text/javascript; charset=utf-8', body: VIEWER_SCRIPT }],
]);

export const VIEWER_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function isViewerPath(path: string): boolean {
  return path === EVENTS_PATH || path === OLDER_PATH || ASSETS.has(path);
}

export function viewerAsset(path: string): ViewerAsset | undefined {
  return ASSETS.get(path);
}
