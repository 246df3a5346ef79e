import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@meshcall/shared';
import type { BaseApp } from '@meshcall/server-kit';
import { PASSWORD, listen, login, mongoUrlFor, register, startAuth, testConfig, uniqueEmail } from './helpers.js';

const DATABASE = 'auth_registration';
let app: BaseApp;
let db: mongoose.Connection;

beforeAll(async () => {
  app = await startAuth(testConfig(DATABASE));
  db = await mongoose.createConnection(mongoUrlFor(DATABASE)).asPromise();
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('POST /register', () => {
  it('creates the account, signs it in and answers 201 with the public user only', async () => {
    const email = uniqueEmail('ada');
    const response = await register(app, { name: 'Ada Lovelace', email });

    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'user']);
    expect(Object.keys(body.user).sort()).toEqual(['createdAt', 'email', 'id', 'name']);
    expect(body.user).toMatchObject({ name: 'Ada Lovelace', email });
    expect(body.expiresIn).toBe(900);
    expect(new Date(body.user.createdAt).toISOString()).toBe(body.user.createdAt);
    expect(response.headers['cache-control']).toBe('no-store');

    const signedIn = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${body.accessToken}` } });
    expect(signedIn.json()).toEqual({ user: body.user });
  });

  it('stores a bcrypt hash at the configured cost, never the password', async () => {
    const email = uniqueEmail();
    await register(app, { email });
    const stored = await db.collection('users').findOne({ email });
    expect(stored?.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
  });

  it('trims and lower-cases the email, so any spelling of it signs in to the same account', async () => {
    const email = uniqueEmail('Grace');
    const response = await register(app, { email: `  ${email.toUpperCase()} ` });
    expect(response.statusCode).toBe(201);
    expect(response.json().user.email).toBe(email.toLowerCase());

    const signedIn = await login(app, email.toUpperCase());
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().user.id).toBe(response.json().user.id);
  });

  it('answers 409 EMAIL_TAKEN for an address that already has an account, in any case', async () => {
    const email = uniqueEmail();
    expect((await register(app, { email })).statusCode).toBe(201);
    const again = await register(app, { email: email.toUpperCase() });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: ErrorCode.EMAIL_TAKEN, message: expect.any(String) } });
  });

  it('gives exactly one 201 and clean 409s when 20 sign-ups of one address race', async () => {
    const racer = await startAuth(testConfig(DATABASE));
    const base = await listen(racer);
    const email = uniqueEmail('race');
    try {
      const responses = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const response = await fetch(`${base}/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `Racer ${i}`, email, password: `password-${i}` }),
          });
          return { i, status: response.status, body: (await response.json()) as { error?: { code: string } } };
        }),
      );
      const created = responses.filter((r) => r.status === 201);
      const refused = responses.filter((r) => r.status !== 201);
      expect(created).toHaveLength(1);
      expect(refused.map((r) => [r.status, r.body.error?.code])).toEqual(Array.from({ length: 19 }, () => [409, ErrorCode.EMAIL_TAKEN]));

      expect(await db.collection('users').countDocuments({ email })).toBe(1);
      // The stored account is the winner's: its password signs in, another racer's does not.
      const winner = created[0]!.i;
      expect((await login(app, email, `password-${winner}`)).statusCode).toBe(200);
      expect((await login(app, email, `password-${(winner + 1) % 20}`)).statusCode).toBe(401);
    } finally {
      await racer.close();
    }
  });

  it('accepts a password of exactly 72 bytes of multi-byte characters and signs in with it', async () => {
    const email = uniqueEmail();
    const password = '€'.repeat(24); // 24 characters, 72 bytes in UTF-8
    expect((await register(app, { email, password })).statusCode).toBe(201);
    expect((await login(app, email, password)).statusCode).toBe(200);
  });

  const invalidBodies: Array<[string, unknown, string]> = [
    ['a missing password', { name: 'Ada', email: uniqueEmail() }, 'body.password'],
    ['a missing name', { email: uniqueEmail(), password: PASSWORD }, 'body.name'],
    ['a number as email', { name: 'Ada', email: 42, password: PASSWORD }, 'body.email'],
    ['an array as name', { name: ['Ada'], email: uniqueEmail(), password: PASSWORD }, 'body.name'],
    ['a boolean as password', { name: 'Ada', email: uniqueEmail(), password: true }, 'body.password'],
    ['an operator object as email', { name: 'Ada', email: { $ne: null }, password: PASSWORD }, 'body.email'],
    ['an operator object as password', { name: 'Ada', email: uniqueEmail(), password: { $gt: '' } }, 'body.password'],
    ['an extra field', { name: 'Ada', email: uniqueEmail(), password: PASSWORD, role: 'admin' }, 'body'],
    ['an invalid email', { name: 'Ada', email: 'not-an-email', password: PASSWORD }, 'body.email'],
    ['a 7-character password', { name: 'Ada', email: uniqueEmail(), password: 'seven77' }, 'body.password'],
    // 8 bytes but 4 characters: the minimum is in characters, as the sign-up form says.
    ['an 8-byte password of 4 characters', { name: 'Ada', email: uniqueEmail(), password: 'éééé' }, 'body.password'],
    ['a 73-byte password', { name: 'Ada', email: uniqueEmail(), password: 'a'.repeat(73) }, 'body.password'],
    // 37 characters but 74 bytes: a character limit would let it through and bcrypt would truncate it.
    ['a 74-byte password of 37 characters', { name: 'Ada', email: uniqueEmail(), password: 'é'.repeat(37) }, 'body.password'],
    ['a blank name', { name: '   ', email: uniqueEmail(), password: PASSWORD }, 'body.name'],
    ['a 61-character name', { name: 'n'.repeat(61), email: uniqueEmail(), password: PASSWORD }, 'body.name'],
    // The same rule as a name for one call: what others read is what was typed, on one line.
    ['a name with a newline', { name: 'Ada\nLovelace', email: uniqueEmail(), password: PASSWORD }, 'body.name'],
  ];

  it.each(invalidBodies)('refuses %s with 400 INVALID_PAYLOAD naming the field', async (_label, payload, path) => {
    const response = await app.inject({ method: 'POST', url: '/register', payload: payload as object });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe(ErrorCode.INVALID_PAYLOAD);
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.any(String) })]));
  });

  const weakPasswords: Array<[string, (email: string) => { name: string; password: string }, string]> = [
    ['"password"', () => ({ name: 'Ada', password: 'password' }), 'most common passwords'],
    ['"12345678"', () => ({ name: 'Ada', password: '12345678' }), 'most common passwords'],
    ['a common password in other case', () => ({ name: 'Ada', password: 'IloveYou' }), 'most common passwords'],
    ['eight spaces', () => ({ name: 'Ada', password: ' '.repeat(8) }), 'only spaces'],
    ['the email itself', (email) => ({ name: 'Ada', password: email }), 'your email'],
    ['the email in capitals', (email) => ({ name: 'Ada', password: email.toUpperCase() }), 'your email'],
    ['the display name', () => ({ name: 'Grace Hopper', password: 'Grace Hopper' }), 'your name'],
    ['the display name without its space', () => ({ name: 'Grace Hopper', password: 'gracehopper' }), 'your name'],
  ];

  it.each(weakPasswords)('refuses %s with 400 WEAK_PASSWORD saying why, and creates no account', async (_label, body, reason) => {
    const email = uniqueEmail('weak');
    const response = await app.inject({ method: 'POST', url: '/register', payload: { email, ...body(email) } });
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error).toEqual({
      code: ErrorCode.WEAK_PASSWORD,
      message: expect.stringContaining(reason),
      details: [{ path: 'password', message: expect.stringContaining(reason) }],
    });
    expect(await db.collection('users').countDocuments({ email })).toBe(0);
  });

  it('still accepts a long passphrase that merely contains a common word', async () => {
    expect((await register(app, { password: 'password of the lighthouse keeper' })).statusCode).toBe(201);
  });

  it('creates no account for a refused body', async () => {
    const email = uniqueEmail();
    await app.inject({ method: 'POST', url: '/register', payload: { name: 'Ada', email, password: 'short' } });
    expect(await db.collection('users').countDocuments({ email })).toBe(0);
  });

  it('refuses a body that is not JSON with 400, not 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "Ada", ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe(ErrorCode.INVALID_PAYLOAD);
  });
});

describe('POST /login body validation', () => {
  const invalidLogins: Array<[string, unknown, string]> = [
    ['operator objects', { email: { $ne: null }, password: { $ne: null } }, 'body.email'],
    ['a regex operator as email', { email: { $regex: '.*' }, password: PASSWORD }, 'body.email'],
    ['a missing password', { email: uniqueEmail() }, 'body.password'],
    ['an extra field', { email: uniqueEmail(), password: PASSWORD, remember: true }, 'body'],
    ['a password longer than 72 bytes', { email: uniqueEmail(), password: 'x'.repeat(73) }, 'body.password'],
  ];

  it.each(invalidLogins)('refuses %s with 400 INVALID_PAYLOAD and details', async (_label, payload, path) => {
    const response = await app.inject({ method: 'POST', url: '/login', payload: payload as object });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: ErrorCode.INVALID_PAYLOAD,
      details: expect.arrayContaining([expect.objectContaining({ path })]),
    });
  });
});
