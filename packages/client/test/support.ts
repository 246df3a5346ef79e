import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { MeshcallClient } from '@meshcall/client';

/** A new client with a freshly signed-up user, through the stack's gateway. */
export async function signedUpClient(name = 'user'): Promise<{ client: MeshcallClient; email: string; password: string }> {
  const client = new MeshcallClient({ baseUrl: inject('gatewayUrl') });
  const email = `${name.toLowerCase()}-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  await client.signUp({ name, email, password });
  return { client, email, password };
}
