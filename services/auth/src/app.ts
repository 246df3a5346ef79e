import fastifyCookie from '@fastify/cookie';
import type { FastifyServerOptions } from 'fastify';
import { TokenIssuer, redisTargetOf } from '@meshcall/shared';
import {
  connectMongo,
  createBaseApp,
  createRedisClient,
  loadPublicKey,
  loadSigningKey,
  registerDocs,
  registerHealthRoutes,
  registerMetrics,
  type BaseApp,
} from '@meshcall/server-kit';
import { createAccounts } from './accounts/accounts.js';
import { createPasswordHasher } from './accounts/passwords.js';
import { createAuthMetrics } from './auth-metrics.js';
import type { AuthConfig } from './config.js';
import { startExpiredTokenJanitor } from './plugins/expired-token-janitor.js';
import { deviceCookies } from './plugins/device-cookie.js';
import { createFailedSignInLimit } from './plugins/failed-sign-in-limit.js';
import { originGuard } from './plugins/origin-check.js';
import { refreshCookie } from './plugins/refresh-cookie.js';
import { indexGuard } from './repositories/indexes.js';
import { refreshTokenModels } from './repositories/refresh-token-models.js';
import { createRefreshTokenRepository } from './repositories/refresh-token-repository.js';
import { userModel } from './repositories/user-model.js';
import { createUserRepository } from './repositories/user-repository.js';
import { registerGuestRoutes } from './routes/guest-routes.js';
import { registerJwksRoutes } from './routes/jwks-routes.js';
import { registerMeRoutes } from './routes/me-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { createRevokedSessions } from './sessions/revoked-sessions.js';
import { createSessions } from './sessions/sessions.js';
import { createAccessTokens } from './tokens/access-tokens.js';

export interface AuthDeps {
  /** Replaces the pino logger (tests pass false). */
  logger?: FastifyServerOptions['logger'];
}

/** File in DATA_DIR holding the development signing key (never used in production). */
const DEV_SIGNING_KEY_FILE = 'access-token-signing-key.json';

/**
 * The auth service as a Fastify app. Connections to MongoDB and Redis are opened here but not
 * awaited, so the service starts (and answers /healthz, and /readyz with 503) before its
 * database is up; they are closed when the app closes.
 */
export async function buildApp(config: AuthConfig, deps: AuthDeps = {}): Promise<BaseApp> {
  // Everything that can fail on bad input comes first, before any connection is opened.
  const signingKey = await loadSigningKey({
    pem: config.AUTH_SIGNING_KEY,
    dataDir: config.DATA_DIR,
    fileName: DEV_SIGNING_KEY_FILE,
    production: config.NODE_ENV === 'production',
  });
  const previousPublicKey = config.AUTH_PREVIOUS_PUBLIC_KEY ? await loadPublicKey(config.AUTH_PREVIOUS_PUBLIC_KEY) : undefined;
  const passwords = await createPasswordHasher(config.BCRYPT_COST);

  const app = createBaseApp({ service: 'auth', logLevel: config.LOG_LEVEL, trustProxy: config.TRUST_PROXY, logger: deps.logger });

  const mongo = connectMongo(config.MONGO_URL, app.log);
  // One retry per command, then an error the error handler maps to 503: during a Redis outage a
  // sign-in fails fast instead of waiting in ioredis's offline queue indefinitely.
  const redis = createRedisClient(redisTargetOf(config), { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  const accessTokens = createAccessTokens({ signingKey, previousPublicKey, ttlSeconds: config.ACCESS_TOKEN_TTL, guestTtlSeconds: config.GUEST_TOKEN_TTL, revocations: redis });
  redis.on('error', (error: Error) => app.log.warn({ reason: error.message }, 'redis connection problem'));
  app.addHook('onClose', async () => {
    redis.disconnect();
    await mongo.close();
  });

  const users = userModel(mongo.connection);
  const refreshTokenStore = refreshTokenModels(mongo.connection);
  const indexes = indexGuard([users, ...Object.values(refreshTokenStore)], app.log);
  void mongo.connected.then(() => indexes.ensure());

  registerHealthRoutes(app, 'auth', {
    mongo: async () => (await mongo.isReady()) && (await indexes.ensure()),
    redis: async () => (await redis.ping()) === 'PONG',
  });
  const metrics = createAuthMetrics(registerMetrics(app, 'auth'));
  await app.register(fastifyCookie);
  await registerDocs(app, {
    title: 'meshcall auth',
    description: `Accounts, ES256 access tokens (issuer "${TokenIssuer.auth}"), rotating refresh tokens in an httpOnly cookie, JWKS.`,
    publicPrefix: '/api/auth',
  });
  const devices = deviceCookies({ signingKey: signingKey.privateKey, ttlSeconds: config.AUTH_DEVICE_COOKIE_TTL });
  const failedSignIns = createFailedSignInLimit({
    redis,
    devices,
    freeFailures: config.AUTH_SIGN_IN_FREE_FAILURES,
    backoffBaseSeconds: config.AUTH_SIGN_IN_BACKOFF_BASE,
    backoffMaxSeconds: config.AUTH_SIGN_IN_BACKOFF_MAX,
    memorySeconds: config.AUTH_SIGN_IN_MEMORY,
    addressMax: config.AUTH_SIGN_IN_ADDRESS_MAX,
    addressWindowSeconds: config.AUTH_SIGN_IN_ADDRESS_WINDOW,
  });

  const accounts = createAccounts(createUserRepository(users), passwords);
  const refreshTokens = createRefreshTokenRepository(refreshTokenStore, config.REFRESH_TOKEN_TTL);
  const sessions = createSessions({
    accounts,
    refreshTokens,
    accessTokens,
    revokedSessions: createRevokedSessions(redis, config.ACCESS_TOKEN_TTL),
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL,
  });
  startExpiredTokenJanitor(app, refreshTokens, mongo.connected);
  const requireDatabase = () => indexes.require();

  registerSessionRoutes(app, {
    accounts,
    sessions,
    cookie: refreshCookie(config.REFRESH_TOKEN_TTL),
    failedSignIns,
    devices,
    accessTokens,
    checkOrigin: originGuard(config.ALLOWED_ORIGINS),
    requireDatabase,
    metrics,
  });
  registerGuestRoutes(app, { accessTokens, checkOrigin: originGuard(config.ALLOWED_ORIGINS), metrics });
  registerMeRoutes(app, { accounts, accessTokens, requireDatabase });
  registerJwksRoutes(app, { accessTokens });
  return app;
}
