import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_PACKAGES, missingGatewayPackages } from '../../src/cli/gateway.js';

/**
 * The error Node gives for `import(specifier)` from a directory where nothing is installed, made in
 * a process of its own (the test runner resolves imports itself, from this project).
 */
function importErrorFor(specifier: string): Error & { code?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hl-gateway-packages-'));
  try {
    const file = join(dir, 'entry.mjs');
    writeFileSync(file, `import(${JSON.stringify(specifier)}).catch((e) => console.log(JSON.stringify({ code: e.code, message: e.message })));\n`);
    const { code, message } = JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 10_000 })) as { code: string; message: string };
    return Object.assign(new Error(message), { code });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the gateway's own packages", () => {
  it('are optional peer dependencies with the ranges the gateway command names', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      dependencies: Record<string, string>;
    };
    for (const [name, range] of Object.entries(GATEWAY_PACKAGES)) {
      expect(manifest.peerDependencies[name], name).toBe(range);
      expect(manifest.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(manifest.dependencies[name], name).toBeUndefined();
    }
  });

  it('are named, with the install command, when one of them is missing', () => {
    const missing = importErrorFor('@grpc/grpc-js');
    expect(missing.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(missingGatewayPackages(missing)).toBe(
      'the gateway needs packages that are not installed; install them beside this one: ' +
        'npm install "@grpc/grpc-js@^1.10.0" "protobufjs@^7.2.5 || ^8.0.0"',
    );
    expect(missingGatewayPackages(importErrorFor('protobufjs/light.js'))).toBeDefined();
  });

  it('leave other errors as they are', () => {
    expect(missingGatewayPackages(importErrorFor('@grpc/grpc-js-other'))).toBeUndefined();
    expect(missingGatewayPackages(new Error("Cannot find package '@grpc/grpc-js'"))).toBeUndefined();
  });
});
