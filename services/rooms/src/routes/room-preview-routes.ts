import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema, roomIdSchema, roomPreviewQuerySchema, roomPreviewResponseSchema } from '@meshcall/shared';
import type { RoomService } from '../rooms/room-service.js';

/**
 * `GET /:id/preview?invite=`: the one rooms route without a token, so an invite link opened by
 * someone without an account can name the room and say whether guests may join. It answers only
 * what the invite code already grants (RoomService.preview). Registered in its own scope: the
 * token hook of roomRoutes does not apply here.
 */
export const roomPreviewRoutes: FastifyPluginAsyncZod<{ service: RoomService }> = async (app, { service }) => {
  app.get(
    '/:id/preview',
    {
      schema: {
        summary: 'What an invite link shows before sign-in: room name, kind, and whether guests may join (no token; needs the current invite code)',
        tags: ['rooms'],
        params: z.object({ id: roomIdSchema }),
        querystring: roomPreviewQuerySchema,
        response: Object.fromEntries([[200, roomPreviewResponseSchema], ...[400, 403, 404, 410, 503].map((status) => [status, errorBodySchema])]),
      },
    },
    async (request) => ({ room: await service.preview(request.params.id, request.query.invite) }),
  );
};
