import { startLocalEnvironment } from './local-environment.js';
import type { EnvironmentSelection } from './select-environment.js';
import { startTestcontainersEnvironment } from './testcontainers-environment.js';
import type { EnvironmentOptions, TestEnvironment } from './test-environment.js';

export type { EnvironmentOptions, EnvironmentName, RedisMasterKill, ServiceName, ServiceUrls, TestEnvironment } from './test-environment.js';
export { selectEnvironment, describeSelection, type EnvironmentSelection } from './select-environment.js';

/** Starts the stack in the environment the global setup selected. */
export function startEnvironment(selection: EnvironmentSelection, options: EnvironmentOptions = {}): Promise<TestEnvironment> {
  return selection.name === 'testcontainers'
    ? startTestcontainersEnvironment(options, selection.dockerHost, selection.images)
    : startLocalEnvironment(options);
}
