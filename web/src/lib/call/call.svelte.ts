import { CHAT_HISTORY_LIMIT, DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS, type ChatMessage, type GameState, type JoinPayload, type JoinResult, type MediaState, type Peer, type Room, type RoomBan, type RoomRole } from '@meshcall/shared';
import { ApiError, ClientErrorCode, toApiError } from '../api/api-error.js';
import { messageFor } from '../api/error-messages.js';
import { roomsClient, session } from '../auth/session.svelte.js';
import type { JoinSettings } from '../prejoin/prejoin.svelte.js';
import { openTrack, stopStream } from '../prejoin/local-media.js';
import { classifyMediaError, mediaProblemMessage } from '../rtc/media-errors.js';
import { PeerLink, type VideoBudgetShare } from '../rtc/peer-link.js';
import type { IncomingSignal, OutgoingSignal } from '../rtc/perfect-negotiation.js';
import { endFor, endFromError, endOfRemoval, type CallEnd } from './call-end.js';
import { RemoteParticipant } from './participant.svelte.js';
import {
  parseChatMessage,
  parseExpiring,
  parseGameState,
  parseJoinResult,
  parseLocked,
  parsePeer,
  parsePeerLeft,
  parsePeerMedia,
  parseReason,
  parseSignal,
} from './server-events.js';
import { createSignalingSocket, emitRequest, handshakeErrorCode, type SignalingSocket } from './signaling-client.js';

export type CallPhase = 'idle' | 'joining' | 'in-call' | 'ended';

export interface RoomInfo {
  id: string;
  name: string;
  kind: Room['kind'];
  capacity: number;
  locked: boolean;
  visibility: Room['visibility'];
  ownerId: string;
  inviteCode: string | undefined;
}

export interface Notice {
  id: number;
  text: string;
}

const CONNECT_TIMEOUT_MS = 15_000;
const MAX_HANDSHAKE_RETRIES = 3;
/** TURN credentials live 10 minutes by default: keep a fresh set for peers who join later. */
const ICE_REFRESH_INTERVAL_MS = 4 * 60_000;
/**
 * A set fetched this recently is fresh enough for an ICE restart: rooms bounds how many
 * credentials a user gets, and a network change restarts every link at once.
 */
const ICE_REUSE_MS = 60_000;
const NOTICE_LIFETIME_MS = 6_000;
/** Signals for a peer we have not heard join yet; bounded so a confused server cannot fill memory. */
const MAX_PENDING_SIGNALS_PER_PEER = 200;
const MAX_PENDING_PEERS = 16;
/**
 * The newcomer offers to everyone already seated; they open their side of the link when that
 * offer arrives, so the common join has no offer collision at all. If it does not arrive in time
 * they offer themselves (perfect negotiation sorts out any collision then).
 */
const NEWCOMER_OFFER_WAIT_MS = 3_000;

const departureText: Record<string, (name: string) => string> = {
  left: (name) => `${name} left the call`,
  disconnected: (name) => `${name} lost their connection`,
  kicked: (name) => `${name} was removed by the owner`,
  replaced: (name) => `${name} moved to another tab or device`,
  closed: (name) => `${name} left: the room closed`,
};

/**
 * One call: the signaling socket, a PeerLink per participant, local media, chat, game and
 * moderation. Components read its fields and call its methods; WebRTC and protocol details stay
 * here and in the plain modules it uses.
 */
export class CallManager {
  phase = $state<CallPhase>('idle');
  end = $state<CallEnd | null>(null);
  room = $state<RoomInfo | null>(null);
  selfPeerId = $state<string | null>(null);
  role = $state<RoomRole>('member');
  participants = $state<RemoteParticipant[]>([]);
  media = $state<MediaState>({ audio: false, video: false, screen: false });
  /** What we send as video (camera or screen), for our own tile. */
  localVideo = $state<MediaStreamTrack | null>(null);
  hasMicrophone = $state(false);
  relayOnly = $state(false);
  chat = $state<ChatMessage[]>([]);
  chatOpen = $state(false);
  unread = $state(0);
  game = $state<GameState | null>(null);
  gameError = $state<string | null>(null);
  connection = $state<'connected' | 'reconnecting'>('connected');
  notices = $state<Notice[]>([]);
  mediaError = $state<string | null>(null);
  /** What we may send as video in total, kbit/s: the deployment's budget from the join admission. */
  videoUploadBudgetKbps = $state(DEFAULT_VIDEO_UPLOAD_BUDGET_KBPS);
  /** Owner only: people kept out of the room, filled by loadBans(). */
  bans = $state<RoomBan[]>([]);

  #socket: SignalingSocket | null = null;
  readonly #links = new Map<string, PeerLink>();
  readonly #pendingSignals = new Map<string, IncomingSignal[]>();
  readonly #linkTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The one stream all our senders belong to, so receivers group audio and video together. */
  #outgoing = new MediaStream();
  #micTrack: MediaStreamTrack | null = null;
  #cameraTrack: MediaStreamTrack | null = null;
  #screenTrack: MediaStreamTrack | null = null;
  #cameraId = '';
  #iceServers: RTCIceServer[] = [];
  #iceTimer: ReturnType<typeof setInterval> | null = null;
  #iceFetchedAt = 0;
  #iceRefresh: Promise<RTCIceServer[]> | null = null;
  #resume: { roomId: string; peerId: string; resumeToken: string } | null = null;
  /** Highest signal sequence number received on this seat, so a resume replays only what was missed. */
  #lastSignalSeq: number | undefined;
  #invite: string | undefined;
  #handshakeFailures = 0;
  #stopTokenUpdates: (() => void) | null = null;
  #noticeId = 0;
  #connectWaiter: { resolve: () => void; reject: (error: unknown) => void } | null = null;

  /** The budget in use: the caps on our video senders added up (at most the budget). */
  get videoUploadInUseKbps(): number {
    return this.participants.reduce((sum, p) => sum + (p.videoCapKbps ?? 0), 0);
  }

  get isOwner(): boolean {
    return this.role === 'owner';
  }

  /** Display name for a user id (game players), "You" for ourselves. */
  nameOf = (userId: string | null): string => {
    if (!userId) return 'Nobody';
    if (userId === session.user?.id) return 'You';
    return this.participants.find((p) => p.userId === userId)?.name ?? 'A former participant';
  };

  /** Takes a seat: a ticket from rooms, then `room:join` on signaling, then a link per peer. */
  async join(roomId: string, invite: string | undefined, settings: JoinSettings): Promise<void> {
    this.phase = 'joining';
    this.end = null;
    this.#invite = invite;
    this.relayOnly = settings.relayOnly;
    this.#cameraId = settings.cameraId;
    this.#takeLocalMedia(settings);
    try {
      const admission = await roomsClient.join(roomId, invite);
      this.room = roomInfo(admission.room);
      this.#iceServers = admission.iceServers;
      this.videoUploadBudgetKbps = admission.videoUploadBudgetKbps;
      this.#iceFetchedAt = Date.now();
      this.#iceTimer = setInterval(() => void this.#refreshIceServers().catch(() => undefined), ICE_REFRESH_INTERVAL_MS);
      await this.#connectSocket(admission.room.id);
      const result = await this.#takeSeat({ ticket: admission.ticket });
      this.#applyJoin(result);
      this.phase = 'in-call';
      this.#announceMedia();
    } catch (error) {
      this.#finish(endFromError(toApiError(error).code));
    }
  }

  async leave(): Promise<void> {
    if (this.phase !== 'in-call' && this.phase !== 'joining') return;
    const socket = this.#socket;
    if (socket?.connected) {
      try {
        await emitRequest(socket, 'room:leave', {}, 3_000);
      } catch {
        // Leaving locally matters more; the server frees the seat when the socket goes anyway.
      }
    }
    this.#finish(endFor('left'));
  }

  /** Ends the call because the user was signed out elsewhere (refresh refused). */
  signedOut(): void {
    if (this.phase === 'in-call' || this.phase === 'joining') this.#finish(endFor('signed-out'));
  }

  /** Page is going away: leave without waiting for anything. */
  destroy(): void {
    if (this.phase === 'in-call') this.#socket?.emit('room:leave', {}, () => undefined);
    this.#teardown();
    this.phase = 'idle';
  }

  toggleMic(): void {
    if (!this.#micTrack) return;
    const on = !this.media.audio;
    this.#micTrack.enabled = on;
    this.media = { ...this.media, audio: on };
    this.#announceMedia();
  }

  async toggleCamera(): Promise<void> {
    this.mediaError = null;
    if (this.#cameraTrack) {
      const on = !this.media.video;
      this.#cameraTrack.enabled = on;
      this.media = { ...this.media, video: on };
      this.#announceMedia();
      return;
    }
    // Joined without a camera: open one now; links start sending it (a renegotiation).
    try {
      const track = await openTrack('video', this.#cameraId);
      this.#cameraTrack = track;
      if (!this.#screenTrack) await this.#sendVideo(track);
      this.media = { ...this.media, video: true };
      this.#announceMedia();
    } catch (error) {
      this.mediaError = mediaProblemMessage(classifyMediaError(error));
    }
  }

  async toggleScreenShare(): Promise<void> {
    this.mediaError = null;
    if (this.#screenTrack) {
      await this.#stopScreenShare();
      return;
    }
    let track: MediaStreamTrack | undefined;
    try {
      const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      track = display.getVideoTracks()[0];
    } catch (error) {
      // Cancelling the picker is a choice, not an error.
      if (classifyMediaError(error) !== 'denied') this.mediaError = 'Screen sharing could not start.';
      return;
    }
    if (!track) return;
    track.contentHint = 'detail';
    track.onended = () => void this.#stopScreenShare();
    this.#screenTrack = track;
    await this.#sendVideo(track);
    this.media = { ...this.media, screen: true };
    this.#announceMedia();
  }

  setChatOpen(open: boolean): void {
    this.chatOpen = open;
    if (open) this.unread = 0;
  }

  /** Sends a chat message; throws an ApiError the chat form shows inline. */
  async sendChat(text: string): Promise<void> {
    const socket = this.#requireSocket();
    const message = parseChatMessage(await emitRequest(socket, 'chat:send', { text }));
    if (message) this.#addChat(message, false);
  }

  async playMove(cell: number): Promise<void> {
    this.gameError = null;
    try {
      const state = parseGameState(await emitRequest(this.#requireSocket(), 'game:move', { cell }));
      if (state) this.game = state;
    } catch (error) {
      this.gameError = messageFor(toApiError(error).code, 'game');
    }
  }

  async resetGame(): Promise<void> {
    this.gameError = null;
    try {
      const state = parseGameState(await emitRequest(this.#requireSocket(), 'game:reset', {}));
      if (state) this.game = state;
    } catch (error) {
      this.gameError = messageFor(toApiError(error).code, 'game');
    }
  }

  /** A kick keeps that account out of the room until the owner lets it back in (see `bans`). */
  async kick(peerId: string): Promise<void> {
    const name = this.participants.find((p) => p.peerId === peerId)?.name ?? 'The participant';
    try {
      await emitRequest(this.#requireSocket(), 'room:kick', { peerId });
    } catch (error) {
      this.#notice(`${name} could not be removed: ${messageFor(toApiError(error).code, 'call')}`);
      return;
    }
    await this.loadBans();
  }

  /** Owner: who is kept out of this room, for the people panel. */
  async loadBans(): Promise<void> {
    if (!this.room || !this.isOwner) return;
    try {
      this.bans = await roomsClient.bans(this.room.id);
    } catch (error) {
      this.#notice(`The list of removed people could not be loaded: ${messageFor(toApiError(error).code, 'call')}`);
    }
  }

  /** Owner: let someone removed earlier join this room again. */
  async liftBan(userId: string): Promise<void> {
    if (!this.room) return;
    const name = this.bans.find((ban) => ban.userId === userId)?.name ?? 'They';
    try {
      await roomsClient.liftBan(this.room.id, userId);
      this.bans = this.bans.filter((ban) => ban.userId !== userId);
      this.#notice(`${name} can join this room again.`);
    } catch (error) {
      this.#notice(messageFor(toApiError(error).code, 'call'));
      await this.loadBans();
    }
  }

  async setLocked(locked: boolean): Promise<void> {
    try {
      const result = await emitRequest(this.#requireSocket(), 'room:lock', { locked });
      if (this.room) this.room = { ...this.room, locked: result.locked };
      this.#notice(result.locked ? 'Room locked: nobody new can join.' : 'Room unlocked.');
    } catch (error) {
      this.#notice(messageFor(toApiError(error).code, 'call'));
    }
  }

  /** Owner: close the room, which ends the call for everyone. */
  async endForEveryone(): Promise<void> {
    if (!this.room) return;
    try {
      await roomsClient.close(this.room.id);
      this.#finish({ reason: 'closed', title: 'You ended the call for everyone', message: 'The room is closed.', canRetry: false });
    } catch (error) {
      this.#notice(messageFor(toApiError(error).code, 'call'));
    }
  }

  dismissNotice(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  // ---- joining and the socket ----

  #takeLocalMedia(settings: JoinSettings): void {
    const stream = settings.stream;
    this.#micTrack = stream?.getAudioTracks()[0] ?? null;
    this.#cameraTrack = stream?.getVideoTracks()[0] ?? null;
    if (this.#micTrack) this.#micTrack.enabled = settings.micOn;
    if (this.#cameraTrack) this.#cameraTrack.enabled = settings.cameraOn;
    this.#outgoing = new MediaStream([this.#micTrack, this.#cameraTrack].filter((t): t is MediaStreamTrack => t !== null));
    this.hasMicrophone = this.#micTrack !== null;
    this.localVideo = this.#cameraTrack;
    this.media = { audio: settings.micOn && this.#micTrack !== null, video: settings.cameraOn && this.#cameraTrack !== null, screen: false };
  }

  #connectSocket(roomId: string): Promise<void> {
    const socket = createSignalingSocket(() => session.freshToken(), roomId);
    this.#socket = socket;
    this.#listen(socket);
    this.#stopTokenUpdates = session.onToken((token) => {
      if (socket.connected) socket.emit('session:refresh', { token }, () => undefined);
    });
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#connectWaiter = null;
        reject(unreachable());
      }, CONNECT_TIMEOUT_MS);
      this.#connectWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
    socket.connect();
    return connected;
  }

  async #takeSeat(payload: JoinPayload): Promise<JoinResult> {
    const result = parseJoinResult(await emitRequest(this.#requireSocket(), 'room:join', payload));
    if (!result) throw new ApiError(ClientErrorCode.BAD_RESPONSE, 'The server answered unexpectedly.');
    return result;
  }

  #listen(socket: SignalingSocket): void {
    socket.on('connect', () => {
      this.#handshakeFailures = 0;
      this.#connectWaiter?.resolve();
      this.#connectWaiter = null;
      if (this.phase === 'in-call' && this.#resume) void this.#resumeSeat();
    });
    socket.on('connect_error', (error) => {
      // While `active`, Socket.IO retries by itself (transport trouble). Otherwise the server
      // refused the handshake: a fresh token may fix that, a few times at most.
      if (socket.active) return;
      this.#handshakeFailures += 1;
      if (this.#handshakeFailures > MAX_HANDSHAKE_RETRIES) {
        const refused = handshakeErrorCode(error) === 'UNAUTHORIZED' ? new ApiError('UNAUTHORIZED', 'Sign in to continue.') : unreachable();
        if (this.#connectWaiter) this.#connectWaiter.reject(refused);
        else if (this.phase === 'in-call') this.#finish(endFromError(refused.code));
        return;
      }
      setTimeout(() => {
        if (this.#socket === socket) socket.connect();
      }, 1_000 * this.#handshakeFailures);
    });
    socket.on('disconnect', (reason) => {
      if (this.phase !== 'in-call') return;
      this.connection = 'reconnecting';
      // After a server-side disconnect Socket.IO does not reconnect by itself.
      if (reason === 'io server disconnect') {
        setTimeout(() => {
          if (this.#socket === socket && this.phase === 'in-call') socket.connect();
        }, 1_000);
      }
    });

    socket.on('peer:joined', (payload) => {
      const peer = parsePeer(payload);
      if (!peer || peer.peerId === this.selfPeerId) return;
      const known = this.participants.find((p) => p.peerId === peer.peerId);
      if (known) known.update(peer);
      else {
        this.#addParticipant(peer, 'on-their-offer');
        this.#notice(`${peer.name} joined`);
      }
    });
    socket.on('peer:left', (payload) => {
      const left = parsePeerLeft(payload);
      if (!left || left.peerId === this.selfPeerId) return;
      const participant = this.participants.find((p) => p.peerId === left.peerId);
      this.#removeParticipant(left.peerId);
      if (participant) this.#notice((departureText[left.reason] ?? departureText.left!)(participant.name));
    });
    socket.on('signal', (payload) => {
      const parsed = parseSignal(payload);
      if (!parsed) return;
      if (parsed.seq !== undefined) this.#lastSignalSeq = Math.max(this.#lastSignalSeq ?? 0, parsed.seq);
      const participant = this.participants.find((p) => p.peerId === parsed.from);
      const link = this.#links.get(parsed.from) ?? (participant ? this.#openLink(participant) : undefined);
      if (link) void link.receive(parsed.signal);
      else this.#keepSignal(parsed.from, parsed.signal);
    });
    socket.on('peer:media', (payload) => {
      const media = parsePeerMedia(payload);
      const participant = media && this.participants.find((p) => p.peerId === media.peerId);
      if (media && participant) participant.media = { audio: media.audio, video: media.video, screen: media.screen };
    });
    socket.on('chat:message', (payload) => {
      const message = parseChatMessage(payload);
      if (message) this.#addChat(message, true);
    });
    socket.on('game:state', (payload) => {
      const state = parseGameState(payload);
      if (state) {
        this.game = state;
        this.gameError = null;
      }
    });
    socket.on('room:kicked', (payload) => this.#finish(endOfRemoval(parseReason(payload)?.reason ?? '')));
    socket.on('room:joined-elsewhere', () => this.#finish(endFor('joined-elsewhere')));
    // Its `reason` is always the code `closed`: nothing in it to show.
    socket.on('room:closed', () => {
      if (this.phase === 'in-call' || this.phase === 'joining') this.#finish(endFor('closed'));
    });
    socket.on('room:locked', (payload) => {
      const locked = parseLocked(payload);
      if (!locked || !this.room) return;
      if (this.room.locked !== locked.locked) this.#notice(locked.locked ? 'The room is now locked.' : 'The room is unlocked.');
      this.room = { ...this.room, locked: locked.locked };
    });
    socket.on('session:expiring', (payload) => {
      const expiring = parseExpiring(payload);
      if (expiring) void this.#renewSocketSession(Date.parse(expiring.expiresAt));
    });
  }

  async #renewSocketSession(expiresAtMs: number): Promise<void> {
    try {
      const token = await session.tokenOutliving(expiresAtMs);
      await emitRequest(this.#requireSocket(), 'session:refresh', { token });
    } catch {
      // A refused refresh ends the session (SessionManager reports it); a timeout is retried by the
      // server's next warning.
    }
  }

  /** After a reconnect: take the same seat back, or a new one if it is gone. */
  async #resumeSeat(): Promise<void> {
    const resume = this.#resume;
    const room = this.room;
    if (!resume || !room) return;
    try {
      const lastSignalSeq = this.#lastSignalSeq;
      this.#applyJoin(await this.#takeSeat({ resume: lastSignalSeq === undefined ? resume : { ...resume, lastSignalSeq } }));
      this.connection = 'connected';
      return;
    } catch (error) {
      const code = toApiError(error).code;
      if (code === 'ROOM_CLOSED') return this.#finish(endFromError(code));
    }
    try {
      const admission = await roomsClient.join(room.id, this.#invite);
      this.#iceServers = admission.iceServers;
      this.videoUploadBudgetKbps = admission.videoUploadBudgetKbps;
      this.#iceFetchedAt = Date.now();
      this.#applyJoin(await this.#takeSeat({ ticket: admission.ticket }));
      this.connection = 'connected';
      this.#announceMedia();
      this.#notice('Reconnected.');
    } catch (error) {
      this.#finish(endFromError(toApiError(error).code));
    }
  }

  #applyJoin(result: JoinResult): void {
    const sameSeat = this.selfPeerId === result.peerId;
    if (!sameSeat) {
      // A new seat is a new peer id for everyone else: every link starts over.
      for (const participant of [...this.participants]) this.#removeParticipant(participant.peerId);
      this.#lastSignalSeq = undefined;
    }
    this.selfPeerId = result.peerId;
    this.role = result.role;
    this.#resume = { roomId: result.room.id, peerId: result.peerId, resumeToken: result.resumeToken };
    if (this.room) this.room = { ...this.room, locked: result.room.locked, capacity: result.room.capacity, kind: result.room.kind };
    for (const message of result.chat) this.#addChat(message, false);
    this.game = result.game;

    const present = new Set(result.peers.map((p) => p.peerId));
    for (const participant of [...this.participants]) if (!present.has(participant.peerId)) this.#removeParticipant(participant.peerId);
    for (const peer of result.peers) {
      const known = this.participants.find((p) => p.peerId === peer.peerId);
      if (known) known.update(peer);
      // On a new seat we are the newcomer and offer; after a resume, peers who came meanwhile offer to us.
      else this.#addParticipant(peer, sameSeat ? 'on-their-offer' : 'now');
    }
    // Signals addressed to us while away were lost: renegotiate from scratch with everyone.
    if (sameSeat && result.resync) for (const link of this.#links.values()) void link.restartIce().catch(() => undefined);
  }

  // ---- peers ----

  #addParticipant(peer: Peer, open: 'now' | 'on-their-offer'): void {
    if (!this.selfPeerId || this.participants.some((p) => p.peerId === peer.peerId)) return;
    const participant = new RemoteParticipant(peer);
    this.participants = [...this.participants, participant];
    // Their offer may already be here (signals can overtake the join announcement).
    if (open === 'now' || this.#pendingSignals.has(peer.peerId)) this.#openLink(participant);
    else this.#linkTimers.set(peer.peerId, setTimeout(() => this.#openLink(participant), NEWCOMER_OFFER_WAIT_MS));
    this.#rebalanceVideo();
  }

  /** Creates the peer connection to a participant and applies what they already sent. */
  #openLink(participant: RemoteParticipant): PeerLink | undefined {
    const selfPeerId = this.selfPeerId;
    const peerId = participant.peerId;
    clearTimeout(this.#linkTimers.get(peerId));
    this.#linkTimers.delete(peerId);
    const existing = this.#links.get(peerId);
    if (existing || !selfPeerId || !this.participants.includes(participant)) return existing;
    const link = new PeerLink({
      selfPeerId,
      remotePeerId: peerId,
      configuration: { iceServers: this.#iceServers, iceTransportPolicy: this.relayOnly ? 'relay' : 'all' },
      localStream: this.#outgoing,
      sendSignal: (signal) => this.#sendSignal(peerId, signal),
      freshIceServers: () => this.#refreshIceServers(),
      onTracks: (tracks) => {
        participant.videoTrack = tracks.video;
        participant.audioTracks = tracks.audio;
      },
      onState: (state) => (participant.link = state),
      onQuality: (quality) => (participant.quality = quality),
      onVideoCap: ({ capKbps, shareKbps }) => {
        participant.videoCapKbps = capKbps;
        participant.videoShareKbps = shareKbps;
      },
      onProblem: (message, error) => console.warn(`[meshcall] ${peerId}: ${message}`, error),
    });
    this.#links.set(peerId, link);
    void link.setVideoBudget(this.#videoBudgetShare());
    const pending = this.#pendingSignals.get(peerId) ?? [];
    this.#pendingSignals.delete(peerId);
    for (const signal of pending) void link.receive(signal);
    return link;
  }

  #removeParticipant(peerId: string): void {
    clearTimeout(this.#linkTimers.get(peerId));
    this.#linkTimers.delete(peerId);
    this.#links.get(peerId)?.close();
    this.#links.delete(peerId);
    this.#pendingSignals.delete(peerId);
    this.participants = this.participants.filter((p) => p.peerId !== peerId);
    this.#rebalanceVideo();
  }

  /**
   * Every peer gets an even share of our upload budget. Counted over participants, not open
   * links, so a link still waiting for its newcomer's offer is already reserved its share and
   * the caps never add up to more than the budget.
   */
  #videoBudgetShare(): VideoBudgetShare {
    return { budgetKbps: this.videoUploadBudgetKbps, peerCount: this.participants.length, screenSharing: this.#screenTrack !== null };
  }

  #rebalanceVideo(): void {
    const share = this.#videoBudgetShare();
    for (const link of this.#links.values()) void link.setVideoBudget(share);
  }

  #keepSignal(from: string, signal: IncomingSignal): void {
    let queue = this.#pendingSignals.get(from);
    if (!queue) {
      if (this.#pendingSignals.size >= MAX_PENDING_PEERS) return;
      queue = [];
      this.#pendingSignals.set(from, queue);
    }
    if (queue.length < MAX_PENDING_SIGNALS_PER_PEER) queue.push(signal);
  }

  #sendSignal(to: string, signal: OutgoingSignal): void {
    // Fire and forget: a lost candidate is recovered by ICE, a lost description by the next restart.
    this.#socket?.emit('signal', { to, ...signal }, () => undefined);
  }

  /**
   * New TURN credentials for this room; concurrent callers (one per restarting link) share one
   * request. When rooms refuses (429 past its bounds) or cannot be reached, the last set is used:
   * refreshed every few minutes, it is usually still valid, and an ICE restart with it beats none.
   */
  async #refreshIceServers(): Promise<RTCIceServer[]> {
    const room = this.room;
    if (!room || Date.now() - this.#iceFetchedAt < ICE_REUSE_MS) return this.#iceServers;
    this.#iceRefresh ??= roomsClient
      .iceServers(room.id, this.#invite)
      .then((iceServers) => {
        this.#iceServers = iceServers;
        this.#iceFetchedAt = Date.now();
        return iceServers;
      })
      .catch(() => this.#iceServers)
      .finally(() => {
        this.#iceRefresh = null;
      });
    return this.#iceRefresh;
  }

  // ---- media ----

  async #sendVideo(track: MediaStreamTrack | null): Promise<void> {
    for (const old of this.#outgoing.getVideoTracks()) this.#outgoing.removeTrack(old);
    if (track) this.#outgoing.addTrack(track);
    this.localVideo = track;
    await Promise.all([...this.#links.values()].map((link) => link.replaceTrack('video', track).catch(() => undefined)));
    // A screen share trades frame rate for size and goes first; the camera the other way round.
    this.#rebalanceVideo();
  }

  async #stopScreenShare(): Promise<void> {
    const screen = this.#screenTrack;
    if (!screen) return;
    this.#screenTrack = null;
    screen.onended = null;
    screen.stop();
    await this.#sendVideo(this.#cameraTrack);
    this.media = { ...this.media, screen: false };
    this.#announceMedia();
  }

  #announceMedia(): void {
    if (this.phase !== 'in-call') return;
    this.#socket?.emit('media:state', { ...this.media }, () => undefined);
  }

  // ---- chat and notices ----

  #addChat(message: ChatMessage, fromServer: boolean): void {
    if (this.chat.some((m) => m.id === message.id)) return;
    this.chat = [...this.chat, message].slice(-CHAT_HISTORY_LIMIT);
    if (fromServer && message.peerId !== this.selfPeerId && !this.chatOpen) this.unread += 1;
  }

  #notice(text: string): void {
    const id = ++this.#noticeId;
    this.notices = [...this.notices.slice(-3), { id, text }];
    setTimeout(() => this.dismissNotice(id), NOTICE_LIFETIME_MS);
  }

  // ---- ending ----

  #requireSocket(): SignalingSocket {
    if (!this.#socket) throw new ApiError('NOT_IN_ROOM', 'Join a room first.');
    return this.#socket;
  }

  #finish(end: CallEnd): void {
    this.#teardown();
    this.end = end;
    this.phase = 'ended';
  }

  /** Closes every connection and stops every track we opened: camera lights go off. */
  #teardown(): void {
    for (const timer of this.#linkTimers.values()) clearTimeout(timer);
    this.#linkTimers.clear();
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.#pendingSignals.clear();
    this.participants = [];
    this.#screenTrack?.stop();
    this.#screenTrack = null;
    stopStream(this.#outgoing);
    this.#micTrack?.stop();
    this.#cameraTrack?.stop();
    this.#micTrack = null;
    this.#cameraTrack = null;
    this.localVideo = null;
    if (this.#iceTimer) clearInterval(this.#iceTimer);
    this.#iceTimer = null;
    this.#stopTokenUpdates?.();
    this.#stopTokenUpdates = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.removeAllListeners();
    socket?.disconnect();
    this.#connectWaiter?.reject(unreachable());
    this.#connectWaiter = null;
    this.#resume = null;
    this.#lastSignalSeq = undefined;
    this.connection = 'connected';
  }
}

function unreachable(): ApiError {
  return new ApiError(ClientErrorCode.NETWORK, 'Cannot reach the call server.');
}

function roomInfo(room: Room): RoomInfo {
  return {
    id: room.id,
    name: room.name,
    kind: room.kind,
    capacity: room.capacity,
    locked: room.locked,
    visibility: room.visibility,
    ownerId: room.ownerId,
    inviteCode: room.inviteCode,
  };
}
