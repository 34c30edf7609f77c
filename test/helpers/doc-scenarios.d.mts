import type { StoredLog } from 'humanloop-log-server/testing';

export interface Scenario {
  name: string;
  /** The document that prints its code, from the repository's root. */
  doc: string;
  /** The file blocks it saves, by name, or saved under another name (default: every file block of the document). */
  files?: Array<string | { block: string; as: string }>;
  /** The command block it runs, by name (default: every command block). */
  command?: string;
  /** Commands the document describes in words, run instead of its command blocks. */
  run?: string[];
  /** The Node lines the CI runs it on, in a fresh project. */
  nodes: number[];
  /** Whether its packages are devDependencies, so `npm test` runs it in this repository. */
  inRepo: boolean;
  /** Whether it needs a fake OpenAI (OPENAI_BASE_URL, OPENAI_API_KEY). */
  openai?: boolean;
  /** Whether it needs a stand-in OTLP/HTTP Collector (OTEL_EXPORTER_OTLP_ENDPOINT). */
  collector?: boolean;
  /** After a `start` block's server answers: what a client of it does. */
  request?(port: number): Promise<void>;
  /** Throws when the logs (and what the Collector got) are not what the code makes. */
  expect(logs: StoredLog[], seen: { collectorSpans: string[] | undefined }): void;
}

export const SCENARIOS: Scenario[];
