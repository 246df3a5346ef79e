import type { RoomBan } from '@meshcall/shared';
import { toApiError } from '../api/api-error.js';
import { messageFor } from '../api/error-messages.js';
import type { RoomsClient } from '../api/rooms-client.js';
import type { SendRequest } from './call-session.svelte.js';

/** What moderation needs from the call around it. */
export interface ModerationContext {
  request: SendRequest;
  rooms: Pick<RoomsClient, 'bans' | 'liftBan' | 'rotateInvite' | 'update'>;
  /** The call's room, once admitted. */
  roomId: () => string | null;
  isOwner: () => boolean;
  nameOfPeer: (peerId: string) => string | undefined;
  notify: (text: string) => void;
  /** The server confirmed the lock; the room's state follows. */
  lockChanged: (locked: boolean) => void;
  /** The owner made a new invite code: the link shown from now on. */
  inviteChanged: (inviteCode: string | undefined) => void;
  /** The owner let guests in or kept them out: the setting shown from now on. */
  guestAccessChanged: (guestAccess: boolean) => void;
  /** We ended the call for everyone, us included; the room stays for the next call. */
  ended: () => void;
}

/**
 * The host's tools: remove someone, ask someone to mute, lock the room, end the call for everyone
 * (the host is the owner, or whom moderation passed to when the host left). Letting removed people
 * back in and new invite links stay the owner's, through rooms.
 */
export class Moderation {
  /** Owner only: people kept out of the room, filled by loadBans(). */
  bans = $state<RoomBan[]>([]);
  /** Host: people knocking on the locked room, oldest first, until answered or withdrawn. */
  knocks = $state<Array<{ knockId: string; name: string }>>([]);
  readonly #context: ModerationContext;

  constructor(context: ModerationContext) {
    this.#context = context;
  }

  /** A kick keeps that account out of the room until the owner lets it back in (see `bans`). */
  async kick(peerId: string): Promise<void> {
    const name = this.#context.nameOfPeer(peerId) ?? 'The participant';
    try {
      await this.#context.request('room:kick', { peerId });
    } catch (error) {
      this.#context.notify(`${name} could not be removed: ${messageFor(toApiError(error).code, 'call')}`);
      return;
    }
    await this.loadBans();
  }

  /** Owner: who is kept out of this room, for the people panel. */
  async loadBans(): Promise<void> {
    const roomId = this.#context.roomId();
    if (!roomId || !this.#context.isOwner()) return;
    try {
      this.bans = await this.#context.rooms.bans(roomId);
    } catch (error) {
      this.#context.notify(`The list of removed people could not be loaded: ${messageFor(toApiError(error).code, 'call')}`);
    }
  }

  /** Owner: let someone removed earlier join this room again. */
  async liftBan(userId: string): Promise<void> {
    const roomId = this.#context.roomId();
    if (!roomId) return;
    const name = this.bans.find((ban) => ban.userId === userId)?.name ?? 'They';
    try {
      await this.#context.rooms.liftBan(roomId, userId);
      this.bans = this.bans.filter((ban) => ban.userId !== userId);
      this.#context.notify(`${name} can join this room again.`);
    } catch (error) {
      this.#context.notify(messageFor(toApiError(error).code, 'call'));
      await this.loadBans();
    }
  }

  /** Host: ask someone to mute. Only asks: their app puts the question to them. */
  async askToMute(peerId: string): Promise<void> {
    const name = this.#context.nameOfPeer(peerId) ?? 'The participant';
    try {
      await this.#context.request('peer:ask-mute', { peerId });
      this.#context.notify(`Asked ${name} to mute.`);
    } catch (error) {
      this.#context.notify(`${name} could not be asked to mute: ${messageFor(toApiError(error).code, 'call')}`);
    }
  }

  /** Owner of a private room: a new invite code, so the link given out so far stops working. */
  async rotateInvite(): Promise<void> {
    const roomId = this.#context.roomId();
    if (!roomId) return;
    try {
      const room = await this.#context.rooms.rotateInvite(roomId);
      this.#context.inviteChanged(room.inviteCode);
      this.#context.notify('New invite link made: the old one no longer works.');
    } catch (error) {
      this.#context.notify(messageFor(toApiError(error).code, 'call'));
    }
  }

  /** Someone asks to join (signaling sends this to the host only). */
  knockArrived(knock: { knockId: string; name: string }): void {
    if (!this.knocks.some((waiting) => waiting.knockId === knock.knockId)) this.knocks = [...this.knocks, knock];
  }

  /** The knock stopped waiting (cancelled, timed out, answered elsewhere). */
  knockGone(knockId: string): void {
    this.knocks = this.knocks.filter((knock) => knock.knockId !== knockId);
  }

  /** Host: let the knocker in (once) or decline; they hear only the answer. */
  async answerKnock(knockId: string, admit: boolean): Promise<void> {
    const name = this.knocks.find((knock) => knock.knockId === knockId)?.name ?? 'They';
    this.knockGone(knockId);
    try {
      await this.#context.request('room:answer-knock', { knockId, admit });
      this.#context.notify(admit ? `${name} can come in now.` : `You declined ${name}.`);
    } catch (error) {
      this.#context.notify(messageFor(toApiError(error).code, 'call'));
    }
  }

  /**
   * Owner of a private room: let people without an account join through the invite link as
   * guests, or stop that (rooms then gives guests no new tickets; guests already in the call stay).
   */
  async setGuestAccess(guestAccess: boolean): Promise<void> {
    const roomId = this.#context.roomId();
    if (!roomId) return;
    try {
      const room = await this.#context.rooms.update(roomId, { guestAccess });
      this.#context.guestAccessChanged(room.guestAccess);
      this.#context.notify(room.guestAccess ? 'Guests can now join with the invite link.' : 'Guests can no longer join; those in the call stay.');
    } catch (error) {
      this.#context.notify(messageFor(toApiError(error).code, 'call'));
    }
  }

  async setLocked(locked: boolean): Promise<void> {
    try {
      const result = await this.#context.request('room:lock', { locked });
      this.#context.lockChanged(result.locked);
      this.#context.notify(result.locked ? 'Room locked: nobody new can join.' : 'Room unlocked.');
    } catch (error) {
      this.#context.notify(messageFor(toApiError(error).code, 'call'));
    }
  }

  /**
   * Host: everyone leaves the call, us included, and the room and its link stay for the next one.
   * Deleting the room is a separate action ("My rooms").
   */
  async endForEveryone(): Promise<void> {
    try {
      await this.#context.request('room:end', {});
      this.#context.ended();
    } catch (error) {
      this.#context.notify(messageFor(toApiError(error).code, 'call'));
    }
  }
}
