import {
  meResponseSchema,
  refreshResponseSchema,
  sessionResponseSchema,
  type LoginBody,
  type MeResponse,
  type RefreshResponse,
  type RegisterBody,
  type SessionResponse,
} from '@meshcall/shared';
import { requestJson } from './http.js';

/** `/api/auth/*`: the refresh token never reaches this code, it lives in the httpOnly cookie. */
export const authClient = {
  register(body: RegisterBody): Promise<SessionResponse> {
    return requestJson('/api/auth/register', { method: 'POST', body, schema: sessionResponseSchema });
  },
  login(body: LoginBody): Promise<SessionResponse> {
    return requestJson('/api/auth/login', { method: 'POST', body, schema: sessionResponseSchema });
  },
  refresh(): Promise<RefreshResponse> {
    return requestJson('/api/auth/refresh', { method: 'POST', schema: refreshResponseSchema });
  },
  async logout(): Promise<void> {
    await requestJson('/api/auth/logout', { method: 'POST' });
  },
  /** Ends every session of the user, on every device, including their access tokens. */
  async logoutEverywhere(token: string): Promise<void> {
    await requestJson('/api/auth/logout/everywhere', { method: 'POST', token });
  },
  me(token: string): Promise<MeResponse> {
    return requestJson('/api/auth/me', { token, schema: meResponseSchema });
  },
};
