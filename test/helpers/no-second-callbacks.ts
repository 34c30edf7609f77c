import { afterEach, beforeEach, expect } from 'vitest';
import { secondCallbacks } from './second-callbacks.js';

/**
 * Run before every test file (vitest `setupFiles`): a test fails if, by the time its own clean-up
 * has run (exporters shut down, which calls back every export still open), the exporter reported
 * calling an export back twice. Its `afterEach` is registered first, so it runs after the file's.
 */
let before = 0;
beforeEach(() => {
  before = secondCallbacks();
});
afterEach(() => {
  expect(secondCallbacks() - before, 'exports the exporter called back twice during the test').toBe(0);
});
