import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('the OTLP descriptor', () => {
  it('is what scripts/generate-otlp-descriptor.mjs makes from the official protos in protos/', async () => {
    const check = promisify(execFile)(process.execPath, ['scripts/generate-otlp-descriptor.mjs', '--check'], { timeout: 20_000 });
    await expect(check).resolves.toMatchObject({ stderr: '' });
  });
});
