export { createBaseApp, type BaseApp, type BaseAppOptions } from './base-app.js';
export { installErrorHandling, toErrorBody } from './error-handler.js';
export { isDependencyUnavailable } from './dependency-errors.js';
export { registerHealthRoutes, type ReadinessCheck } from './health.js';
export { registerMetrics } from './metrics.js';
export { registerDocs, type DocsOptions } from './docs.js';
export { serve, type ServeOptions } from './lifecycle.js';
export { connectMongo, type MongoHandle } from './mongo.js';
export { loggerOptions } from './logger.js';
export { loadSigningKey, loadPublicKey, jwksDocument, type SigningKey, type SigningKeySource } from './signing-keys.js';
export {
  createJwtVerifier,
  createAccessTokenVerifier,
  createPlatformTokenVerifier,
  accountsOnly,
  sessionRevocationCheck,
  bearerTokenFrom,
  type JwtVerifier,
  type JwtVerifierOptions,
  type SessionRevocationReader,
} from './jwt-verifier.js';
export { createRedisClient, isCluster, redisReady, describeRedisTarget, scanKeys, masterConnectionOf, slotOf, type RedisClient, type RedisClientOptions } from './redis.js';
