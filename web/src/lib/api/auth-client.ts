import { AuthApi, HttpTransport, browserRefreshCookie } from '@meshcall/client';

/**
 * `/api/auth/*`, by @meshcall/client's AuthApi: the refresh token never reaches this code, it
 * lives in the httpOnly cookie the browser keeps.
 */
export const authClient = new AuthApi(new HttpTransport(), browserRefreshCookie);
