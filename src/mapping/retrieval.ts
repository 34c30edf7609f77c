import { toModelProvider } from './provider.js';
import type { NormalizedSpan } from './normalized.js';

/**
 * Retrieval and embedding steps, the same whatever the convention that recorded them. A retrieval
 * is a tool run: the query in, the documents out. An embedding is a generic step of kind
 * `embedding` named by its model: the texts embedded in, and never the vectors out.
 */

/** A document as conventions record them; fields that are absent stay absent. */
export interface RetrievedDocument {
  id?: string;
  score?: number;
  content?: string;
  metadata?: Record<string, unknown>;
}

/** `documents` as the text of the tool's output: JSON as recorded, or the documents written out. */
export function asRetrieval(out: NormalizedSpan, query: string | undefined, documents: string | RetrievedDocument[] | undefined): void {
  out.kind = 'tool';
  if (query !== undefined) out.inputs = { query };
  if (documents !== undefined) out.output = typeof documents === 'string' ? documents : JSON.stringify(documents);
}

/** `texts`: the one text embedded, or the list of them. */
export function asEmbedding(out: NormalizedSpan, texts: unknown): void {
  out.kind = 'generic';
  const model = out.model ?? out.responseModel;
  out.name = model ?? 'embeddings';
  out.otherParams = { kind: 'embedding' };
  if (model) out.otherParams.model = model;
  if (out.provider) out.otherParams.provider = toModelProvider(out.provider) ?? out.provider;
  out.inputs = texts === undefined ? undefined : { input: texts };
  out.output = undefined;
  out.outputMessage = undefined;
}
