import pino from 'pino';
import { redisTargetOf } from '@meshcall/shared';
import { describeRedisTarget, loggerOptions, serve } from '@meshcall/server-kit';
import { createApplication, tokenVerifiers } from './app.js';
import { loadSignalingConfig } from './config.js';
import { createRedisConnections } from './redis/connections.js';

const config = loadSignalingConfig();
const logger = pino({ ...(loggerOptions('signaling', config.LOG_LEVEL) as pino.LoggerOptions), base: { service: 'signaling', replica: config.REPLICA_ID } });

const redisTarget = redisTargetOf(config);
const redis = createRedisConnections(redisTarget, logger);
logger.info(`waiting for ${describeRedisTarget(redisTarget)}`);
await redis.ready();

const { app } = await createApplication(config, { redis, ...tokenVerifiers(config, redis) });

await serve(app, { host: config.HOST, port: config.PORT, onClose: () => redis.quit() });
