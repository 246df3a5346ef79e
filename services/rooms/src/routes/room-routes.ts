import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import {
  createRoomBodySchema,
  errorBodySchema,
  iceServersResponseSchema,
  inviteCodeSchema,
  joinRoomBodySchema,
  joinRoomResponseSchema,
  listMyRoomsQuerySchema,
  listRoomsQuerySchema,
  roomIdSchema,
  roomBansResponseSchema,
  roomListResponseSchema,
  roomPageResponseSchema,
  roomResponseSchema,
  updateRoomBodySchema,
  userIdSchema,
  type PlatformTokenClaims,
} from '@meshcall/shared';
import type { JwtVerifier } from '@meshcall/server-kit';
import { requireAccessToken } from '../plugins/authenticate.js';
import { RetryLaterError } from '../rooms/fixed-window-rate.js';
import type { RoomService } from '../rooms/room-service.js';

export interface RoomRoutesOptions {
  service: RoomService;
  /** Accounts' access tokens and guest tokens; guests only reach routes marked `config: { guests: true }`. */
  platformTokens: JwtVerifier<PlatformTokenClaims>;
}

const roomParamsSchema = z.object({ id: roomIdSchema });
const banParamsSchema = z.object({ id: roomIdSchema, userId: userIdSchema });
const inviteQuerySchema = z.strictObject({ invite: inviteCodeSchema.optional() });

/** Error responses a route documents; every one has the same body. 403 is always possible: GUEST_NOT_ALLOWED. */
function errors(...statuses: number[]): Record<number, typeof errorBodySchema> {
  return Object.fromEntries([401, 403, 503, ...statuses].map((status) => [status, errorBodySchema]));
}

/** Routes a guest token may use, for its own room only (the preview is public: room-preview-routes). */
const guestsToo = { guests: true };

/** Runs a handler, putting a RetryLaterError's wait in `Retry-After` before the error handler answers. */
async function withRetryAfter<T>(reply: FastifyReply, handler: () => Promise<T>): Promise<T> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof RetryLaterError) void reply.header('retry-after', String(error.retryAfterSeconds));
    throw error;
  }
}

const tags = ['rooms'];
const security = [{ bearer: [] }];

/**
 * Room CRUD, the public list, "mine", join and ICE servers; all behind an access token. A guest
 * token reaches only GET /:id, POST /:id/join and POST /:id/ice, for its own room.
 */
export const roomRoutes: FastifyPluginAsyncZod<RoomRoutesOptions> = async (app, { service, platformTokens }) => {
  requireAccessToken(app, platformTokens);

  app.post(
    '/',
    {
      schema: {
        summary:
          'Create a room (game rooms always get 2 seats; private rooms get an invite code). Limited per account: ROOMS_PER_ACCOUNT open rooms (403 ROOM_QUOTA_REACHED) and ROOM_CREATE_RATE_LIMIT creations per ROOM_CREATE_RATE_WINDOW (429 RATE_LIMITED with Retry-After)',
        tags,
        security,
        body: createRoomBodySchema,
        response: { 201: roomResponseSchema, ...errors(400, 403, 429) },
      },
    },
    async (request, reply) => {
      try {
        const room = await service.create(request.caller, request.body);
        return reply.status(201).send({ room });
      } catch (error) {
        if (error instanceof RetryLaterError) void reply.header('retry-after', String(error.retryAfterSeconds));
        throw error;
      }
    },
  );

  app.get(
    '/',
    {
      schema: {
        summary:
          'List open public rooms with live occupancy; search by the start of words, filter by kind, sort by newest or occupancy. Go on with `cursor` = the previous page\'s nextCursor (same q, kind and sort); a cursor that is garbled, forged or from another query is 400. 503 while the lobby is being rebuilt',
        tags,
        security,
        querystring: listRoomsQuerySchema,
        response: { 200: roomPageResponseSchema, ...errors(400) },
      },
    },
    async (request) => service.listPublic(request.query),
  );

  app.get(
    '/mine',
    {
      schema: {
        summary: 'Open rooms I own, accepted an invitation to, or am invited to (`invitation` says which), newest first',
        tags,
        security,
        querystring: listMyRoomsQuerySchema,
        response: { 200: roomListResponseSchema, ...errors(400) },
      },
    },
    async (request) => service.listMine(request.caller, request.query),
  );

  app.get(
    '/:id',
    {
      config: guestsToo,
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
        summary:
          'Change name, capacity, lock or who is invited (owner only). New invitees get a pending invitation; accepted guests left out of allowedUsers are removed: refused at once and taken out of a call in progress',
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
        summary: 'Replace the invite code of a private room; the old link stops working (owner only; at most INVITE_ROTATIONS_PER_MINUTE a minute per account, then 429 with Retry-After)',
        tags,
        security,
        params: roomParamsSchema,
        response: { 200: roomResponseSchema, ...errors(400, 403, 404, 409, 410, 429) },
      },
    },
    async (request, reply) => withRetryAfter(reply, async () => ({ room: await service.rotateInvite(request.caller, request.params.id) })),
  );

  app.post(
    '/:id/ice',
    {
      config: guestsToo,
      schema: {
        summary: 'Fresh STUN/TURN servers with new TURN credentials for a room you may join (refresh before an ICE restart); bounded per user and per room',
        tags,
        security,
        params: roomParamsSchema,
        querystring: inviteQuerySchema,
        response: { 200: iceServersResponseSchema, ...errors(400, 403, 404, 410, 429) },
      },
    },
    async (request, reply) => withRetryAfter(reply, () => service.refreshIceServers(request.caller, request.params.id, request.query.invite)),
  );

  app.post(
    '/:id/invitation/accept',
    {
      schema: {
        summary: 'Accept my invitation to a room: from now on it lets me in',
        tags,
        security,
        params: roomParamsSchema,
        response: { 200: roomResponseSchema, ...errors(400, 404) },
      },
    },
    async (request) => ({ room: await service.acceptInvitation(request.caller, request.params.id) }),
  );

  app.post(
    '/:id/invitation/decline',
    {
      schema: {
        summary: 'Decline my invitation to a room (or leave its guest list once accepted)',
        tags,
        security,
        params: roomParamsSchema,
        response: { 204: z.null().describe('Declined'), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      await service.declineInvitation(request.caller, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/:id/bans',
    {
      schema: {
        summary: 'People kept out of the room (kicked from a call, or removed from the invitations), most recent first (owner only)',
        tags,
        security,
        params: roomParamsSchema,
        response: { 200: roomBansResponseSchema, ...errors(400, 403, 404, 410) },
      },
    },
    async (request) => ({ bans: await service.bans(request.caller, request.params.id) }),
  );

  app.delete(
    '/:id/bans/:userId',
    {
      schema: {
        summary: 'Let a banned account back in; it can then get a join ticket again (owner only)',
        tags,
        security,
        params: banParamsSchema,
        response: { 204: z.null().describe('Lifted'), ...errors(400, 403, 404, 410) },
      },
    },
    async (request, reply) => {
      await service.liftBan(request.caller, request.params.id, request.params.userId);
      return reply.status(204).send(null);
    },
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
      config: guestsToo,
      schema: {
        summary:
          'Get a join ticket for signaling and ICE servers with TURN credentials. A guest token: only for its own room, with the current invite code, while the owner lets guests in (403 GUESTS_OFF otherwise)',
        tags,
        security,
        params: roomParamsSchema,
        // The body is optional: only a private room's invite goes in it.
        body: joinRoomBodySchema.nullish(),
        response: { 200: joinRoomResponseSchema, ...errors(400, 403, 404, 409, 410, 423, 429) },
      },
    },
    async (request, reply) => withRetryAfter(reply, () => service.join(request.caller, request.params.id, request.body?.invite, request.body?.knock)),
  );
};
