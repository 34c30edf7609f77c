import type { DeliveryReport } from '../book/delivery-report.js';
import type { LogBook } from '../book/log-book.js';
import type { ExportLedger } from '../ledger/export-ledger.js';
import type { ExportId, Step } from '../log/steps.js';
import type { Background } from '../common/background.js';
import type { PipelineParts } from './parts.js';

export interface RouterParts extends PipelineParts {
  book: LogBook;
  ledger: ExportLedger;
  report: DeliveryReport;
  background: Background;
}

/**
 * Where each step goes: every part answers with steps (src/log/steps.ts), and each step is for
 * one other part. Carried depth first, so that a log's story happens in order (what a log's
 * delivery releases is linked before the export it belongs to hears that the log is through).
 */
export class Router {
  /** The process is ending: spool files are removed at once, without waiting. */
  exiting = false;

  constructor(private readonly _parts: RouterParts) {}

  run(steps: Step[], owner?: ExportId): void {
    for (const step of steps) this.run(this._step(step, owner), owner);
  }

  private _step(step: Step, owner: ExportId | undefined): Step[] {
    const { book, trace, dialect, intake, sender, custody, ledger, report, background, clock, config } = this._parts;
    switch (step.kind) {
      case 'release':
        return book.released(step.log, step.link, step.hasChildren, owner);
      case 'open':
        return trace.opened(step.spanId, intake.open(step.span, clock.now()));
      case 'opened':
        return book.opened(step.log);
      case 'merged':
        return book.merged(step.key, step.into);
      case 'waiting':
        return book.waiting(step.key);
      case 'write':
        return book.written(dialect.link(step.log, step.link, step.open), clock.now());
      case 'write-evaluation':
        return book.written(dialect.evaluation(step.judgment), clock.now());
      case 'write-completion':
        return book.written(dialect.completion(step.end, step.created), clock.now());
      case 'try-complete':
        return book.completion(step.key);
      case 'try-leave':
        return book.leaving(step.key);
      case 'send': {
        const deadline = step.owner === undefined ? undefined : ledger.deadlineOf(step.owner);
        sender.enqueue(step.item, deadline ?? clock.now() + config.exportTimeoutMillis);
        return [];
      }
      case 'keep':
        return book.evicted(custody.keep(step.key, step.bytes, step.since, clock.now()));
      // What a log's fate releases joins that log's export.
      case 'delivered':
        return void this.run(trace.delivered(step.key, step.logId), step.owner), [];
      case 'dropped':
        return void this.run(trace.dropped(step.key), step.owner), [];
      case 'no-log':
        return trace.endedWithoutLog(step.spanId, step.parentSpanId);
      case 'kept':
        return trace.kept(step.key);
      case 'relink':
        return trace.add(step.log);
      case 'owned':
        return void ledger.expect(step.owner), [];
      case 'let-go':
        return void ledger.letGo(step.owner, step.error), [];
      case 'recovered':
        return void custody.recovered(), [];
      case 'lost':
        return void report.lost(step.reason, step.error), [];
      case 'lost-evaluations':
        return void report.lostEvaluations(step.reason, step.count, step.error), [];
      case 'spool-settled':
        if (this.exiting) return void custody.spoolSettledSync(step.file), [];
        return void background.track(custody.spoolSettled(step.file) ?? Promise.resolve()), [];
    }
  }
}
