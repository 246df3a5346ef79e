import { afterAll, beforeAll, inject } from 'vitest';
import { startEnvironment, type EnvironmentOptions, type TestEnvironment } from '../../src/environment/index.js';

/**
 * One stack for the scenario file: started before its first test, stopped after its last. Each
 * file prints where it runs, so a log always says which environment produced a result.
 */
export function useEnvironment(options: EnvironmentOptions = {}): () => TestEnvironment {
  let environment: TestEnvironment | undefined;
  beforeAll(async () => {
    environment = await startEnvironment(inject('environmentSelection'), options);
    console.log(`[integration] ${environment.description}`);
  });
  afterAll(async () => {
    await environment?.stop();
  });
  return () => {
    if (!environment) throw new Error('the environment did not start (see the beforeAll error)');
    return environment;
  };
}
