import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { JoinTicketIssuer } from '../tickets/join-ticket.js';

/** The public key signaling verifies join tickets with. */
export const jwksRoutes: FastifyPluginAsyncZod<{ tickets: JoinTicketIssuer }> = async (app, { tickets }) => {
  app.get('/.well-known/jwks.json', { schema: { summary: 'Public keys of join tickets (JWKS)', tags: ['keys'] } }, async (_request, reply) => {
    // Short enough that a replaced key reaches verifiers within minutes.
    void reply.header('cache-control', 'public, max-age=300');
    return tickets.jwks();
  });
};
