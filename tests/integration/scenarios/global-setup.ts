import type { TestProject } from 'vitest/node';
import { describeSelection, selectEnvironment, type EnvironmentSelection } from '../src/environment/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    environmentSelection: EnvironmentSelection;
  }
}

/**
 * Decides once per run where the stack runs (Testcontainers when `docker info` answers and the
 * images are there, the local launcher otherwise, or what MESHCALL_TEST_ENV forces) and says so.
 */
export default async function setup(project: TestProject): Promise<void> {
  const selection = await selectEnvironment();
  console.log(`\n[integration] ${describeSelection(selection)}\n`);
  project.provide('environmentSelection', selection);
}
