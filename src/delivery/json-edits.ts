import type { OutgoingLog } from '../log/outgoing-log.js';
import { isRecord } from '../common/json.js';
import { objectOf, toOutgoing } from '../log/encoding.js';

/** What a dialect's bodies call the fields that place a log under its parent, and those a log cannot go without. */
export interface FieldRules {
  parentFields: readonly string[];
  requiredFields: ReadonlySet<string>;
}

/**
 * The log without the fields a 422 refused (once: a log that already went without some is not
 * tried again), saying so in `metadata.refused_fields`. A refused parent link goes whole: the log
 * then goes as a root. Undefined when the log cannot go without them.
 */
export function withoutFields(item: OutgoingLog, fields: readonly string[], rules: FieldRules): OutgoingLog | undefined {
  if (fields.length === 0 || fields.some((field) => rules.requiredFields.has(field))) return undefined;
  const log = objectOf(item);
  const metadata = isRecord(log.metadata) ? log.metadata : undefined;
  if (metadata?.refused_fields !== undefined) return undefined;
  const left = fields.some((field) => rules.parentFields.includes(field)) ? [...fields, ...rules.parentFields] : fields;
  for (const field of left) delete log[field];
  if (metadata) log.metadata = { ...metadata, refused_fields: [...new Set(left)] };
  return { ...toOutgoing(item.key, log, item.completes), route: item.route, open: item.open, leads: item.leads };
}

