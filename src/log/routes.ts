/**
 * The kinds of file a v5 log goes to (`POST {base}/<route>/log`): a log's route, and the route in
 * what its create returned (LogIds), which its completion's path is built from.
 */
export const V5_ROUTES = ['prompts', 'tools', 'flows'] as const;

export type V5Route = (typeof V5_ROUTES)[number];

export function isV5Route(value: unknown): value is V5Route {
  return (V5_ROUTES as readonly unknown[]).includes(value);
}
