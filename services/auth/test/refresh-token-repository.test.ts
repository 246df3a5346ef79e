import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshTokenModels, type RefreshTokenModels } from '../src/repositories/refresh-token-models.js';
import { createRefreshTokenRepository, type RefreshTokenRepository } from '../src/repositories/refresh-token-repository.js';
import { generateRefreshToken, hashRefreshToken } from '../src/tokens/refresh-token.js';
import { mongoUrlFor } from './helpers.js';

const TTL_SECONDS = 3600;
let connection: mongoose.Connection;
let models: RefreshTokenModels;
let repository: RefreshTokenRepository;

beforeAll(async () => {
  connection = await mongoose.createConnection(mongoUrlFor('auth_refresh_repository')).asPromise();
  models = refreshTokenModels(connection);
  await Promise.all(Object.values(models).map((model) => model.createIndexes()));
  repository = createRefreshTokenRepository(models, TTL_SECONDS);
});
afterAll(async () => {
  await connection?.close();
});

const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
const newHash = () => hashRefreshToken(generateRefreshToken());

describe('refresh token repository against the real MongoDB-wire server', () => {
  it('lets exactly one of 20 simultaneous rotations of one token through and revokes the family for the rest', async () => {
    const userId = new mongoose.Types.ObjectId().toHexString();
    const first = newHash();
    await repository.startFamily({ userId, tokenHash: first, expiresAt: later(TTL_SECONDS) });

    const nextHashes = Array.from({ length: 20 }, newHash);
    const results = await Promise.all(
      nextHashes.map((nextHash) => repository.rotate({ presentedHash: first, nextHash, nextExpiresAt: later(TTL_SECONDS), now: new Date() })),
    );
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'rotated')).toHaveLength(1);
    // Losers either detect the replay themselves or arrive after another loser revoked the family.
    expect(outcomes.filter((o) => o === 'reuse-detected').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o !== 'rotated').every((o) => o === 'reuse-detected' || o === 'rejected')).toBe(true);

    // The winner's successor belongs to a family that the replays revoked.
    const winner = nextHashes[outcomes.indexOf('rotated')]!;
    const afterwards = await repository.rotate({ presentedHash: winner, nextHash: newHash(), nextExpiresAt: later(TTL_SECONDS), now: new Date() });
    expect(afterwards).toEqual({ outcome: 'rejected' });
  });

  it('refuses an expired token without spending it', async () => {
    const userId = new mongoose.Types.ObjectId().toHexString();
    const expired = newHash();
    await repository.startFamily({ userId, tokenHash: expired, expiresAt: later(-1) });
    const result = await repository.rotate({ presentedHash: expired, nextHash: newHash(), nextExpiresAt: later(TTL_SECONDS), now: new Date() });
    expect(result).toEqual({ outcome: 'rejected' });
    expect(await models.uses.countDocuments({ _id: expired })).toBe(0);
  });

  it('revokes by any token of the family and knows nothing of unknown tokens', async () => {
    const userId = new mongoose.Types.ObjectId().toHexString();
    const first = newHash();
    const second = newHash();
    await repository.startFamily({ userId, tokenHash: first, expiresAt: later(TTL_SECONDS) });
    await repository.rotate({ presentedHash: first, nextHash: second, nextExpiresAt: later(TTL_SECONDS), now: new Date() });

    expect(await repository.revokeFamilyOf(newHash(), 'sign-out', new Date())).toBeNull();
    const revoked = await repository.revokeFamilyOf(first, 'sign-out', new Date());
    expect(revoked).toEqual({ familyId: expect.any(String), userId });
    expect(await repository.rotate({ presentedHash: second, nextHash: newHash(), nextExpiresAt: later(TTL_SECONDS), now: new Date() })).toEqual({
      outcome: 'rejected',
    });
    // Revoking twice is harmless.
    expect(await repository.revokeFamilyOf(second, 'sign-out', new Date())).toEqual(revoked);
  });

  it('prunes expired records and keeps live ones', async () => {
    const userId = new mongoose.Types.ObjectId().toHexString();
    const live = newHash();
    const stale = newHash();
    await repository.startFamily({ userId, tokenHash: live, expiresAt: later(TTL_SECONDS) });
    await repository.startFamily({ userId, tokenHash: stale, expiresAt: later(-60) });
    await models.uses.create({ _id: newHash(), familyId: 'old', userId, expiresAt: later(-60), usedAt: later(-120) });
    await models.revocations.create({ _id: `old-${stale}`, userId, reason: 'sign-out', revokedAt: later(-120), expiresAt: later(-60) });

    expect(await repository.pruneExpired(new Date())).toBeGreaterThanOrEqual(3);
    expect(await models.issued.countDocuments({ _id: stale })).toBe(0);
    expect(await models.issued.countDocuments({ _id: live })).toBe(1);
    expect(await models.uses.countDocuments({ expiresAt: { $lte: new Date() } })).toBe(0);
    expect(await models.revocations.countDocuments({ expiresAt: { $lte: new Date() } })).toBe(0);
  });
});
