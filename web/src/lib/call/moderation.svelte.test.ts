import type { Room, RoomBan } from '@meshcall/shared';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { SendRequest } from './call-session.svelte.js';
import { Moderation, type ModerationContext } from './moderation.svelte.js';

const ban: RoomBan = { userId: 'u-bob', name: 'Bob', bannedAt: '2026-12-06T07:00:00.000Z', reason: 'kicked' };

function moderation(overrides: Partial<ModerationContext> = {}) {
  const notices: string[] = [];
  const events: string[] = [];
  const context: ModerationContext = {
    request: (async (event: string) => (event === 'room:lock' ? { locked: true } : {})) as unknown as SendRequest,
    rooms: {
      bans: async () => [ban],
      liftBan: async () => undefined,
      rotateInvite: async () => ({ inviteCode: 'new-code-123' }) as Room,
      update: async (_id, body) => ({ guestAccess: body.guestAccess ?? false }) as Room,
    },
    roomId: () => 'room-1',
    isOwner: () => true,
    nameOfPeer: (peerId) => (peerId === 'peer-bob' ? 'Bob' : undefined),
    notify: (text) => notices.push(text),
    lockChanged: (locked) => events.push(`locked:${locked}`),
    ended: () => events.push('ended'),
    inviteChanged: (code) => events.push(`invite:${code}`),
    guestAccessChanged: (on) => events.push(`guests:${on}`),
    ...overrides,
  };
  return { moderation: new Moderation(context), notices, events };
}

describe('Moderation', () => {
  it('lists the removed person after a kick, and lets them back in', async () => {
    const { moderation: owner, notices } = moderation();
    await owner.kick('peer-bob');
    expect(owner.bans).toEqual([ban]);
    await owner.liftBan('u-bob');
    expect(owner.bans).toEqual([]);
    expect(notices).toEqual(['Bob can join this room again.']);
  });

  it('names who could not be removed, and why, in a sentence', async () => {
    const { moderation: owner, notices } = moderation({ request: (() => Promise.reject(new ApiError('FORBIDDEN', 'no'))) as unknown as SendRequest });
    await owner.kick('peer-bob');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^Bob could not be removed: /);
    expect(notices[0]).not.toContain('FORBIDDEN');
  });

  it('shows each knock once, drops it when withdrawn or answered, and sends the answer', async () => {
    const sent: unknown[] = [];
    const request = (async (event: string, payload: unknown) => (sent.push([event, payload]), null)) as unknown as SendRequest;
    const { moderation: host, notices } = moderation({ request });
    host.knockArrived({ knockId: 'knock-kim-1', name: 'Kim' });
    host.knockArrived({ knockId: 'knock-kim-1', name: 'Kim' });
    host.knockArrived({ knockId: 'knock-lou-1', name: 'Lou' });
    expect(host.knocks.map((knock) => knock.name)).toEqual(['Kim', 'Lou']);
    host.knockGone('knock-lou-1');
    await host.answerKnock('knock-kim-1', false);
    expect(host.knocks).toEqual([]);
    expect(sent).toEqual([['room:answer-knock', { knockId: 'knock-kim-1', admit: false }]]);
    expect(notices).toEqual(['You declined Kim.']);
  });

  it('does not ask rooms for the list unless we own the room', async () => {
    let asked = false;
    const { moderation: member } = moderation({ isOwner: () => false, rooms: { bans: async () => ((asked = true), [ban]), liftBan: async () => undefined, rotateInvite: async () => ({}) as Room, update: async () => ({}) as Room } });
    await member.loadBans();
    expect(asked).toBe(false);
    expect(member.bans).toEqual([]);
  });

  it('applies the lock the server confirmed, and ends the call (not the room) through signaling', async () => {
    const sent: string[] = [];
    const request = (async (event: string) => (sent.push(event), event === 'room:lock' ? { locked: true } : null)) as unknown as SendRequest;
    const { moderation: owner, events, notices } = moderation({ request });
    await owner.setLocked(true);
    await owner.endForEveryone();
    expect(sent).toEqual(['room:lock', 'room:end']);
    expect(events).toEqual(['locked:true', 'ended']);
    expect(notices).toEqual(['Room locked: nobody new can join.']);
  });

  it('keeps the call when the server refuses to end it', async () => {
    const { moderation: owner, events, notices } = moderation({ request: (() => Promise.reject(new ApiError('FORBIDDEN', 'no'))) as unknown as SendRequest });
    await owner.endForEveryone();
    expect(events).toEqual([]);
    expect(notices).toHaveLength(1);
  });

  it('asks a peer to mute through signaling and says so, or says why not', async () => {
    const sent: Array<[string, unknown]> = [];
    const request = (async (event: string, payload: unknown) => (sent.push([event, payload]), null)) as unknown as SendRequest;
    const { moderation: owner, notices } = moderation({ request });
    await owner.askToMute('peer-bob');
    expect(sent).toEqual([['peer:ask-mute', { peerId: 'peer-bob' }]]);
    expect(notices).toEqual(['Asked Bob to mute.']);

    const refused = moderation({ request: (() => Promise.reject(new ApiError('PEER_NOT_FOUND', 'gone'))) as unknown as SendRequest });
    await refused.moderation.askToMute('peer-bob');
    expect(refused.notices[0]).toMatch(/^Bob could not be asked to mute: /);
    expect(refused.notices[0]).not.toContain('PEER_NOT_FOUND');
  });

  it('shows the new invite code after rotating it, and keeps the old one when rooms refuses', async () => {
    const { moderation: owner, events, notices } = moderation();
    await owner.rotateInvite();
    expect(events).toEqual(['invite:new-code-123']);
    expect(notices).toEqual(['New invite link made: the old one no longer works.']);

    const refused = moderation({ rooms: { bans: async () => [], liftBan: async () => undefined, rotateInvite: () => Promise.reject(new ApiError('FORBIDDEN', 'no')), update: async () => ({}) as Room } });
    await refused.moderation.rotateInvite();
    expect(refused.events).toEqual([]);
    expect(refused.notices).toHaveLength(1);
  });

  it('lets guests in and keeps them out through rooms, showing what rooms confirmed', async () => {
    const { moderation: owner, events, notices } = moderation();
    await owner.setGuestAccess(true);
    await owner.setGuestAccess(false);
    expect(events).toEqual(['guests:true', 'guests:false']);
    expect(notices).toEqual(['Guests can now join with the invite link.', 'Guests can no longer join; those in the call stay.']);
  });

  it('says in a sentence when rooms refuses the guest setting, and changes nothing', async () => {
    const refused = { bans: async () => [], liftBan: async () => undefined, rotateInvite: async () => ({}) as Room, update: () => Promise.reject(new ApiError('FORBIDDEN', 'no')) };
    const { moderation: owner, events, notices } = moderation({ rooms: refused });
    await owner.setGuestAccess(true);
    expect(events).toEqual([]);
    expect(notices).toEqual(['You are not allowed to do that.']);
  });
});
