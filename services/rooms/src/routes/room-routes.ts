import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  createRoomBodySchema,
  errorBodySchema,
  iceServersResponseSchema,
  inviteCodeSchema,
  joinRoomBodySchema,
  joinRoomResponseSchema,
  listRoomsQuerySchema,
  roomIdSchema,
  roomListResponseSchema,
  roomResponseSchema,
  updateRoomBodySchema,
  type AccessTokenClaims,
} from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import { requireAccessToken } from '../plugins/authenticate.js';
import type { RoomService } from '../rooms/room-service.js';

export interface RoomRoutesOptions {
  service: RoomService;
  accessTokens: JwtVerifier<AccessTokenClaims>;
}

const roomParamsSchema = z.object({ id: roomIdSchema });
const inviteQuerySchema = z.strictObject({ invite: inviteCodeSchema.optional() });
const pagingQuerySchema = listRoomsQuerySchema.pick({ page: true, pageSize: true });

/** Error responses a route documents; every one has the same body. */
function errors(...statuses: number[]): Record<number, typeof errorBodySchema> {
  return Object.fromEntries([401, 503, ...statuses].map((status) => [status, errorBodySchema]));
}

const tags = ['rooms'];
const security = [{ bearer: [] }];

/** Room CRUD, the public list, "mine", join and ICE servers; all behind an access token. */
export const roomRoutes: FastifyPluginAsyncZod<RoomRoutesOptions> = async (app, { service, accessTokens }) => {
  requireAccessToken(app, accessTokens);

  app.post(
    '/',
    {
      schema: {
        summary: 'Create a room (game rooms always get 2 seats; private rooms get an invite code)',
        tags,
        security,
        body: createRoomBodySchema,
        response: { 201: roomResponseSchema, ...errors(400) },
      },
    },
    async (request, reply) => {
      const room = await service.create(request.caller, request.body);
      return reply.status(201).send({ room });
    },
  );

  app.get(
    '/',
    {
      schema: {
        summary: 'List open public rooms with live occupancy; search, filter by kind, sort by newest or occupancy',
        tags,
        security,
        querystring: listRoomsQuerySchema,
        response: { 200: roomListResponseSchema, ...errors(400) },
      },
    },
    async (request) => service.listPublic(request.query),
  );

  app.get(
    '/mine',
    {
      schema: {
        summary: 'Open rooms I own or am allowed in, newest first',
        tags,
        security,
        querystring: pagingQuerySchema,
        response: { 200: roomListResponseSchema, ...errors(400) },
      },
    },
    async (request) => service.listMine(request.caller, request.query),
  );

  app.get(
    '/ice',
    {
      schema: {
        summary: 'Fresh STUN/TURN servers with new TURN credentials (refresh before an ICE restart)',
        tags,
        security,
        response: { 200: iceServersResponseSchema, ...errors() },
      },
    },
    async (request) => service.iceServers(request.caller),
  );

  app.get(
    '/:id',
    {
      schema: {
        summary: 'One room: public rooms to anyone signed in, private ones to the owner, allowed users or with ?invite=',
        tags,
        security,
        params: roomParamsSchema,
        querystring: inviteQuerySchema,
        response: { 200: roomResponseSchema, ...errors(400, 403, 404, 410) },
      },
    },
    async (request) => ({ room: await service.get(request.caller, request.params.id, request.query.invite) }),
  );

  app.patch(
    '/:id',
    {
      schema: {
        summary: 'Change name, capacity, lock or allowed users (owner only)',
        tags,
        security,
        params: roomParamsSchema,
        body: updateRoomBodySchema,
        response: { 200: roomResponseSchema, ...errors(400, 403, 404, 409, 410) },
      },
    },
    async (request) => ({ room: await service.update(request.caller, request.params.id, request.body) }),
  );

  app.post(
    '/:id/invite',
    {
      schema: {
        summary: 'Replace the invite code of a private room; the old link stops working (owner only)',
        tags,
        security,
        params: roomParamsSchema,
        response: { 200: roomResponseSchema, ...errors(400, 403, 404, 409, 410) },
      },
    },
    async (request) => ({ room: await service.rotateInvite(request.caller, request.params.id) }),
  );

  app.delete(
    '/:id',
    {
      schema: {
        summary: 'Close the room; signaling drops everyone in it (owner only)',
        tags,
        security,
        params: roomParamsSchema,
        response: { 204: z.null().describe('Closed'), ...errors(400, 403, 404, 410) },
      },
    },
    async (request, reply) => {
      await service.close(request.caller, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/:id/join',
    {
      schema: {
        summary: 'Get a join ticket for signaling and ICE servers with TURN credentials',
        tags,
        security,
        params: roomParamsSchema,
        // The body is optional: only a private room's invite goes in it.
        body: joinRoomBodySchema.nullish(),
        response: { 200: joinRoomResponseSchema, ...errors(400, 403, 404, 409, 410, 423) },
      },
    },
    async (request) => service.join(request.caller, request.params.id, request.body?.invite),
  );
};
