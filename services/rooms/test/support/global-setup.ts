import type { TestProject } from 'vitest/node';
import { startBackingServices } from '@meshcall/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    redisUrl: string;
  }
}

/** One real MongoDB-wire server and one Redis for the whole run; each suite uses its own database. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startBackingServices();
  project.provide('mongoUrl', services.mongoUrl);
  project.provide('redisUrl', services.redisUrl);
  return () => services.stop();
}
