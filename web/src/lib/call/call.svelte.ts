import type { JoinResult } from '@meshcall/shared';
import { toApiError } from '../api/api-error.js';
import { roomsClient, session } from '../auth/session.svelte.js';
import type { JoinSettings } from '../prejoin/prejoin.svelte.js';
import { endFor, endFromError, endOfRemoval, type CallEnd } from './call-end.js';
import { CallSession } from './call-session.svelte.js';
import { ChatLog } from './chat.svelte.js';
import { GameTable } from './game.svelte.js';
import { LocalMedia } from './local-media.svelte.js';
import { Moderation } from './moderation.svelte.js';
import { Notices } from './notices.svelte.js';
import { PeerMesh, peerLinkTo } from './peer-mesh.svelte.js';
import { SpeakerWatch } from './speaker-watch.svelte.js';
import { answerAsInCall } from './tab-presence.js';
import { parseChatMessage, parseGameState, parseHost, parseKnockRequest, parseKnockWithdrawn, parseLocked, parseMuteRequest, parsePeer, parsePeerLeft, parsePeerMedia, parseReason, parseSignal } from './server-events.js';

export type CallPhase = 'idle' | 'joining' | 'in-call' | 'ended';

const departureText: Record<string, (name: string) => string> = {
  left: (name) => `${name} left the call`,
  disconnected: (name) => `${name} lost their connection`,
  kicked: (name) => `${name} was removed by the host`,
  replaced: (name) => `${name} moved to another tab or device`,
  closed: (name) => `${name} left: the room closed`,
};

/**
 * One call, put together from its parts: the session (connection and seat), the peer mesh, local
 * media, chat, the game, moderation and notices. Components talk to the part they show; this
 * class only joins, ends, and routes the server's events to the part they concern.
 */
export class Call {
  phase = $state<CallPhase>('idle');
  end = $state<CallEnd | null>(null);
  relayOnly = $state(false);
  /** The name chosen for this call on the pre-join, or null for the account's. */
  callName = $state<string | null>(null);
  /** The audio output every remote participant plays on ('' the system default). */
  audioOutputId = $state('');
  /** The host asked us to mute (their name); we answer with answerMuteRequest. */
  muteRequestFrom = $state<string | null>(null);
  #stopAnsweringTabs: (() => void) | null = null;
  readonly notices = new Notices();
  readonly speaker = new SpeakerWatch();
  readonly session: CallSession = new CallSession({
    rooms: roomsClient,
    tokens: session,
    hooks: {
      seated: (result, change) => this.#seated(result, change),
      lost: (code) => this.#finish(endFromError(code)),
    },
  });
  readonly media: LocalMedia = new LocalMedia({
    videoChanged: (track) => this.mesh.sendVideo(track),
    stateChanged: (media) => {
      if (this.phase === 'in-call') this.session.send('media:state', { ...media });
    },
  });
  readonly mesh: PeerMesh = new PeerMesh({
    selfPeerId: () => this.session.selfPeerId,
    openLink: (participant, selfPeerId) =>
      peerLinkTo(participant, selfPeerId, {
        iceServers: () => this.session.ice.servers,
        freshIceServers: () => this.session.ice.fresh(),
        relayOnly: this.relayOnly,
        localStream: () => this.media.outgoing,
        // Fire and forget: a lost candidate is recovered by ICE, a lost description by the next restart.
        sendSignal: (to, signal) => this.session.send('signal', { to, ...signal }),
      }),
    budgetKbps: () => this.session.videoUploadBudgetKbps,
    screenSharing: () => this.media.screenSharing,
  });
  readonly chat = new ChatLog(this.session.request, () => this.session.selfPeerId);
  readonly game = new GameTable(this.session.request);
  readonly moderation = new Moderation({
    request: this.session.request,
    rooms: roomsClient,
    roomId: () => this.session.room?.id ?? null,
    isOwner: () => this.isOwner,
    nameOfPeer: (peerId) => this.mesh.find(peerId)?.name,
    notify: (text) => this.notices.push(text),
    lockChanged: (locked) => this.#setLocked(locked),
    ended: () => this.#endedByUs(),
    inviteChanged: (inviteCode) => {
      const room = this.session.room;
      if (room) this.session.room = { ...room, inviteCode };
    },
    guestAccessChanged: (guestAccess) => {
      const room = this.session.room;
      if (room) this.session.room = { ...room, guestAccess };
    },
  });

  constructor() {
    this.#routeServerEvents();
  }

  /** The room's owner: bans and invite links (through rooms) stay theirs. */
  get isOwner(): boolean {
    return this.session.role === 'owner';
  }

  /** Whether we moderate the call now (remove, ask to mute, lock, end for everyone): the owner, or whom it passed to. */
  get isHost(): boolean {
    return this.session.host !== null && this.session.host === this.session.selfPeerId;
  }

  /** Display name for a user id (game players), "You" for ourselves. */
  nameOf = (userId: string | null): string => {
    if (!userId) return 'Nobody';
    if (userId === session.me?.id) return 'You';
    return this.mesh.participants.find((p) => p.userId === userId)?.name ?? 'A former participant';
  };

  /** Takes a seat: a ticket from rooms, then `room:join` on signaling, then a link per peer. */
  async join(roomId: string, invite: string | undefined, settings: JoinSettings): Promise<void> {
    this.phase = 'joining';
    this.end = null;
    this.relayOnly = settings.relayOnly;
    this.callName = settings.name ?? null;
    this.audioOutputId = settings.audioOutputId;
    this.media.adopt(settings);
    try {
      await this.session.open(roomId, invite, settings.name);
    } catch (error) {
      this.#finish(endFromError(toApiError(error).code));
    }
  }

  async leave(): Promise<void> {
    if (this.phase !== 'in-call' && this.phase !== 'joining') return;
    await this.session.leave();
    this.#finish(endFor('left'));
  }

  /**
   * Ends the call because our guest session is over (its token cannot be refreshed): leaves
   * cleanly while the token still holds, so the others see us go at once instead of a seat held
   * for a resume that will never come.
   */
  async guestSessionOver(): Promise<void> {
    if (this.phase !== 'in-call' && this.phase !== 'joining') return;
    await this.session.leave();
    this.#finish(endFor('signed-out'));
  }

  /** Ends the call because the user was signed out elsewhere (refresh refused). */
  signedOut(): void {
    if (this.phase === 'in-call' || this.phase === 'joining') this.#finish(endFor('signed-out'));
  }

  /** Page is going away: leave without waiting for anything. */
  destroy(): void {
    if (this.phase === 'in-call') this.session.leaveNow();
    this.#teardown();
    this.phase = 'idle';
  }

  #seated(result: JoinResult, { sameSeat, afterReconnect }: { sameSeat: boolean; afterReconnect: boolean }): void {
    // A new seat is a new peer id for everyone else: every link starts over.
    if (!sameSeat) this.mesh.clear();
    for (const message of result.chat) this.chat.add(message, { live: false });
    this.game.show(result.game);
    // On a new seat we are the newcomer and offer; after a resume, peers who came meanwhile offer to us.
    this.mesh.sync(result.peers, sameSeat ? 'on-their-offer' : 'now');
    if (sameSeat && result.resync) this.mesh.restartAll();
    if (sameSeat) return;
    this.phase = 'in-call';
    // Another tab of this browser that opens the room asks before taking the call over.
    this.#stopAnsweringTabs ??= answerAsInCall(result.room.id);
    this.#watchSpeakers();
    this.session.send('media:state', { ...this.media.media });
    if (afterReconnect) this.notices.push('Reconnected.');
  }

  /** Our own level counts too, under our peer id, so our tile lights up when we speak. */
  #watchSpeakers(): void {
    this.media.measureMicLevel();
    this.speaker.start(async () => {
      const levels = await this.mesh.audioLevels();
      if (this.session.selfPeerId) levels.set(this.session.selfPeerId, this.media.takeMicLevel());
      return levels;
    });
  }

  #setLocked(locked: boolean): void {
    const room = this.session.room;
    if (room) this.session.room = { ...room, locked };
  }

  #routeServerEvents(): void {
    const on = this.session.on.bind(this.session);
    on('peer:joined', (payload) => {
      const peer = parsePeer(payload);
      if (!peer || peer.peerId === this.session.selfPeerId) return;
      if (this.mesh.add(peer, 'on-their-offer')) this.notices.push(`${peer.name} joined`);
    });
    on('peer:left', (payload) => {
      const left = parsePeerLeft(payload);
      if (!left || left.peerId === this.session.selfPeerId) return;
      const participant = this.mesh.find(left.peerId);
      this.mesh.remove(left.peerId);
      if (participant) this.notices.push((departureText[left.reason] ?? departureText.left!)(participant.name));
    });
    on('signal', (payload) => {
      const parsed = parseSignal(payload);
      if (!parsed) return;
      this.session.noteSignalSeq(parsed.seq);
      this.mesh.receive(parsed.from, parsed.signal);
    });
    on('peer:media', (payload) => {
      const media = parsePeerMedia(payload);
      const participant = media && this.mesh.find(media.peerId);
      if (media && participant) participant.media = { audio: media.audio, video: media.video, screen: media.screen };
    });
    on('chat:message', (payload) => {
      const message = parseChatMessage(payload);
      if (message) this.chat.add(message, { live: true });
    });
    on('game:state', (payload) => {
      const state = parseGameState(payload);
      if (state) this.game.show(state);
    });
    on('room:kicked', (payload) => this.#finish(endOfRemoval(parseReason(payload)?.reason ?? '')));
    on('room:joined-elsewhere', () => this.#finish(endFor('joined-elsewhere')));
    // Its `reason` is always the code `closed`: nothing in it to show.
    on('room:closed', () => {
      if (this.phase === 'in-call' || this.phase === 'joining') this.#finish(endFor('closed'));
    });
    // We may have finished already: our own room:end's acknowledgement can come before this.
    on('room:ended', () => {
      if (this.phase === 'in-call' || this.phase === 'joining') this.#finish(endFor('ended'));
    });
    on('peer:mute-requested', (payload) => {
      const request = parseMuteRequest(payload);
      // Only a request: nothing changes until our person says yes, and there is nothing to ask when muted.
      if (request && this.phase === 'in-call' && this.media.media.audio) this.muteRequestFrom = this.mesh.find(request.from)?.name ?? 'The host';
    });
    on('room:host', (payload) => {
      const host = parseHost(payload);
      if (!host || host.peerId === this.session.host) return;
      this.session.host = host.peerId;
      // Knocks wait for the host: the new one is shown them by the server, and we can no longer answer.
      if (host.peerId !== this.session.selfPeerId) this.moderation.knocks = [];
      // Our own join can be announced before its acknowledgement arrives: nothing to tell us then.
      if (this.phase !== 'in-call') return;
      this.notices.push(host.peerId === this.session.selfPeerId ? 'You are now the host.' : `${host.name} is now the host.`);
    });
    on('room:knock-request', (payload) => {
      const knock = parseKnockRequest(payload);
      if (knock) this.moderation.knockArrived(knock);
    });
    on('room:knock-withdrawn', (payload) => {
      const gone = parseKnockWithdrawn(payload);
      if (gone) this.moderation.knockGone(gone.knockId);
    });
    on('room:locked', (payload) => {
      const locked = parseLocked(payload);
      const room = this.session.room;
      if (!locked || !room) return;
      if (room.locked !== locked.locked) this.notices.push(locked.locked ? 'The room is now locked.' : 'The room is unlocked.');
      this.#setLocked(locked.locked);
    });
  }

  /** Our answer to the host's request: mute, or keep talking. */
  answerMuteRequest(mute: boolean): void {
    this.muteRequestFrom = null;
    if (mute && this.media.media.audio) this.media.toggleMic();
  }

  #endedByUs(): void {
    if (this.phase !== 'in-call' && this.phase !== 'joining') return;
    this.#finish({ ...endFor('ended'), title: 'You ended the call for everyone', message: 'The room and its link stay: join again to start the next call.' });
  }

  #finish(end: CallEnd): void {
    this.#teardown();
    this.end = end;
    this.phase = 'ended';
  }

  /** Closes every connection and stops every track we opened: camera lights go off. */
  #teardown(): void {
    this.#stopAnsweringTabs?.();
    this.#stopAnsweringTabs = null;
    this.speaker.stop();
    this.mesh.clear();
    this.media.stop();
    this.session.close();
  }
}
