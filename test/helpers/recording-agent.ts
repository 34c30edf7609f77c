import { context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { Agent, type Dispatcher } from 'undici';

/**
 * An undici Agent that notes each request it dispatches, and whether tracing was suppressed
 * then: it sees every attempt, also those to a server that is down and records nothing.
 */
export class RecordingAgent extends Agent {
  readonly suppressed: boolean[] = [];

  get dispatched(): number {
    return this.suppressed.length;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.suppressed.push(isTracingSuppressed(context.active()));
    return super.dispatch(options, handler);
  }
}
