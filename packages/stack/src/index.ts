export { ManagedProcess, findBinary, logTail, type ManagedProcessOptions, type ExitInfo } from './process.js';
export { LocalComponent, type LocalComponentSpec } from './component.js';
export {
  DEFAULT_SUPERVISION,
  backoffMs,
  formatSupervisionEvent,
  type SupervisionEvent,
  type SupervisionListener,
  type SupervisionPolicy,
} from './supervision.js';
export { readLauncherSettings, LAUNCHER_VARIABLES, LAUNCHER_VARIABLE_NAMES, COMPOSE_ONLY_GATEWAY_VARIABLES, type LauncherSettings } from './settings.js';
export { findFreePort, isPortOpen, assertPortFree } from './ports.js';
export { findFreePorts } from './free-ports.js';
export { waitUntil, httpOk, type WaitOptions } from './wait.js';
export { redisComponent, redisPing } from './components/redis.js';
export { startRedisCluster, clusterInfo, clusterHealthy, masterPortOf, CLUSTER_NODE_TIMEOUT_MS, type LocalRedisCluster } from './components/redis-cluster.js';
export { mongoWireComponent, pickMongoWireServer, mongoUrl } from './components/mongo.js';
export { startBackingServices, type BackingServices, type BackingServicesOptions } from './backing-services.js';
export { startStack, LAUNCHER_MAX_TURN_SERVERS, type Stack, type StackOptions, type StackUrls } from './stack.js';
export { SERVICE_NODE_FLAGS, serviceComponent, type ServiceOptions } from './components/service.js';
export { repoRoot, defaultDataDir } from './repo.js';
export {
  gatewayComponent,
  hostPort,
  localAddressOf,
  webServerComponent,
  renderTemplate,
  templateVariables,
  writeGatewayConfig,
  writeWebServerConfig,
  checkNginxConfig,
  infraDir,
  type GatewayOptions,
  type GatewayTlsOptions,
  type WebServerOptions,
  type NginxInstance,
} from './components/nginx.js';
export { stunBindingOk } from '@meshcall/shared/stun-binding';
export { coturnComponent, renderCoturnConfig, productionCoturnConfig, localTestCoturnOverlay, type CoturnOptions } from './components/coturn.js';
export { requestRelay, turnCredentials, RELAY_ALLOCATED, PEER_FORBIDDEN, type RelayRequest, type TurnCredentials } from './turn-client.js';
export { TurnAllocationClient, type TurnClientOptions, type TurnTlsOptions, type AllocateResult, type PermissionResult, type TurnFailure, type TurnRestCredentials, type TurnServerAddress } from './turn-allocation-client.js';
export { CHROMIUM_PATH, CHROMIUM_ARGS, chromiumLaunchOptions } from './browser.js';
export { acquirePidLock } from './pid-lock.js';
export { createTestCertificates, spkiHashOf, type TestCertificates } from './test-certificates.js';
export { DOCKER_TEST_TRUSTED_PROXIES } from './docker-networks.js';
