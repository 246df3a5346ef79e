import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

export interface DocsOptions {
  title: string;
  description: string;
  /** The public path prefix the gateway adds ("/api/auth"), so "Try it out" hits the right URL. */
  publicPrefix: string;
}

/** OpenAPI generated from the zod route schemas, with its UI at `/docs`. Register before routes. */
export async function registerDocs(app: FastifyInstance, options: DocsOptions): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: options.title, description: options.description, version: '0.1.0' },
      servers: [{ url: options.publicPrefix }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}
