import { HttpTransport, RoomsApi, type Authorized } from '@meshcall/client';

export type { Authorized };

/** `/api/rooms/*` on our own origin, every call authenticated: @meshcall/client's RoomsApi. */
export function createRoomsClient(authorized: Authorized): RoomsApi {
  return new RoomsApi(new HttpTransport(), authorized);
}

export type RoomsClient = RoomsApi;

/**
 * Rooms' public invite preview, the one rooms call without a token (an invite link opened with no
 * session). Any other call through it would go out unauthenticated and be refused.
 */
export const previewClient: Pick<RoomsApi, 'preview'> = new RoomsApi(new HttpTransport(), () => {
  throw new Error('the invite preview needs no token');
});
