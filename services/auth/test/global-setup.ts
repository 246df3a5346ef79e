import type { TestProject } from 'vitest/node';
import { startBackingServices } from '@meshcall/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** MongoDB-wire server (mongod or FerretDB) shared by the suites; each file uses its own database. */
    mongoUrl: string;
    redisUrl: string;
  }
}

/** Starts the real backing services once for the run, through the same launcher the stack uses. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startBackingServices();
  project.provide('mongoUrl', services.mongoUrl);
  project.provide('redisUrl', services.redisUrl);
  return () => services.stop();
}
