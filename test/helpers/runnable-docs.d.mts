import type { Scenario } from './doc-scenarios.mjs';

export interface MarkedBlock {
  kind: 'install' | 'serve' | 'file' | 'command' | 'start';
  name: string | undefined;
  code: string;
}

export interface Project {
  dir: string;
  remove(): void;
}

export const REPO: string;
export function markedBlocks(markdown: string): MarkedBlock[];
export function docBlocks(doc: string): MarkedBlock[];
export function scenarioCode(scenario: Scenario): { files: MarkedBlock[]; commands: MarkedBlock[]; start: MarkedBlock | undefined };
export function repoProject(name: string): Project;
export function tarballProject(doc: string, options: { tarball: string; node: string }): Promise<Project>;
export function runScenario(scenario: Scenario, options: { dir: string; node: string; server: { url: string } }): Promise<string>;
export function startPrintedServer(doc: string, options: { dir: string; node: string }): Promise<{ url: string; close(): Promise<void> }>;
export function readLogs(url: string): Promise<unknown[]>;
export function sh(command: string, options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMillis?: number }): Promise<string>;
