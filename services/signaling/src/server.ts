import pino from 'pino';
import { TokenAudience, TokenIssuer, joinTicketClaimsSchema, ErrorCode, redisTargetOf } from '@meshcall/shared';
import { createPlatformTokenVerifier, createJwtVerifier, describeRedisTarget, loggerOptions, serve } from '@meshcall/server-kit';
import { createApplication } from './app.js';
import { loadSignalingConfig } from './config.js';
import { createRedisConnections } from './redis/connections.js';

const config = loadSignalingConfig();
const logger = pino({ ...(loggerOptions('signaling', config.LOG_LEVEL) as pino.LoggerOptions), base: { service: 'signaling', replica: config.REPLICA_ID } });

const redisTarget = redisTargetOf(config);
const redis = createRedisConnections(redisTarget, logger);
logger.info(`waiting for ${describeRedisTarget(redisTarget)}`);
await redis.ready();

const { app } = await createApplication(config, {
  redis,
  accessTokens: createPlatformTokenVerifier(config.AUTH_JWKS_URL, redis.commands),
  tickets: createJwtVerifier({
    keys: config.ROOMS_JWKS_URL,
    issuer: TokenIssuer.rooms,
    audience: TokenAudience.signaling,
    claims: joinTicketClaimsSchema,
    invalidCode: ErrorCode.TICKET_INVALID,
  }),
});

await serve(app, { host: config.HOST, port: config.PORT, onClose: () => redis.quit() });
