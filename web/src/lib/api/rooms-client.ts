import { HttpTransport, RoomsApi, type Authorized } from '@meshcall/client';

export type { Authorized };

/** `/api/rooms/*` on our own origin, every call authenticated: @meshcall/client's RoomsApi. */
export function createRoomsClient(authorized: Authorized): RoomsApi {
  return new RoomsApi(new HttpTransport(), authorized);
}

export type RoomsClient = RoomsApi;
