import type { Peer } from '@meshcall/shared';
import { PeerLink, type VideoBudgetShare } from '../rtc/peer-link.js';
import type { IncomingSignal, OutgoingSignal } from '../rtc/perfect-negotiation.js';
import { RemoteParticipant } from './participant.svelte.js';

/** What the mesh asks of one peer connection (a PeerLink; a stand-in in unit tests, Node has no WebRTC). */
export type MeshLink = Pick<PeerLink, 'receive' | 'close' | 'restartIce' | 'replaceTrack' | 'setVideoBudget' | 'audioLevel'>;

export interface PeerMeshOptions {
  /** Our seat's peer id; no links before we have one. */
  selfPeerId: () => string | null;
  /** Opens the connection to a participant, reporting its tracks, state and quality onto it. */
  openLink: (participant: RemoteParticipant, selfPeerId: string) => MeshLink;
  /** What we may send as video in total, kbit/s. */
  budgetKbps: () => number;
  screenSharing: () => boolean;
  /** How long a seated peer waits for a newcomer's offer before offering itself. */
  newcomerOfferWaitMs?: number;
}

/** How a link to a participant opens: we offer now (we are the newcomer), or we wait for their offer. */
export type LinkOpening = 'now' | 'on-their-offer';

/**
 * The newcomer offers to everyone already seated; they open their side of the link when that
 * offer arrives, so the common join has no offer collision at all. If it does not arrive in time
 * they offer themselves (perfect negotiation sorts out any collision then).
 */
const NEWCOMER_OFFER_WAIT_MS = 3_000;
/** Signals for a peer we have not heard join yet; bounded so a confused server cannot fill memory. */
const MAX_PENDING_SIGNALS_PER_PEER = 200;
const MAX_PENDING_PEERS = 16;

/** The other participants and one peer connection to each, sharing our video upload budget evenly. */
export class PeerMesh {
  participants = $state<RemoteParticipant[]>([]);
  readonly #links = new Map<string, MeshLink>();
  readonly #pendingSignals = new Map<string, IncomingSignal[]>();
  readonly #linkTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #options: PeerMeshOptions;

  constructor(options: PeerMeshOptions) {
    this.#options = options;
  }

  /** The budget in use: the caps on our video senders added up (at most the budget). */
  get videoUploadInUseKbps(): number {
    return this.participants.reduce((sum, p) => sum + (p.videoCapKbps ?? 0), 0);
  }

  find(peerId: string): RemoteParticipant | undefined {
    return this.participants.find((p) => p.peerId === peerId);
  }

  /** Adds someone (or refreshes what we know of them); returns true if they are new. */
  add(peer: Peer, opening: LinkOpening): boolean {
    if (!this.#options.selfPeerId()) return false;
    const known = this.find(peer.peerId);
    if (known) {
      known.update(peer);
      return false;
    }
    const participant = new RemoteParticipant(peer);
    this.participants = [...this.participants, participant];
    // Their offer may already be here (signals can overtake the join announcement).
    if (opening === 'now' || this.#pendingSignals.has(peer.peerId)) this.#open(participant);
    else this.#linkTimers.set(peer.peerId, setTimeout(() => this.#open(participant), this.#options.newcomerOfferWaitMs ?? NEWCOMER_OFFER_WAIT_MS));
    this.rebalance();
    return true;
  }

  remove(peerId: string): void {
    clearTimeout(this.#linkTimers.get(peerId));
    this.#linkTimers.delete(peerId);
    this.#links.get(peerId)?.close();
    this.#links.delete(peerId);
    this.#pendingSignals.delete(peerId);
    this.participants = this.participants.filter((p) => p.peerId !== peerId);
    this.rebalance();
  }

  /** The room as the server lists it: who is gone leaves, who is new joins, who stayed keeps their link. */
  sync(peers: Peer[], opening: LinkOpening): void {
    const present = new Set(peers.map((p) => p.peerId));
    for (const participant of [...this.participants]) if (!present.has(participant.peerId)) this.remove(participant.peerId);
    for (const peer of peers) this.add(peer, opening);
  }

  /** A signal from a participant: to their link, opened now if needed, or kept until they join. */
  receive(from: string, signal: IncomingSignal): void {
    const participant = this.find(from);
    const link = this.#links.get(from) ?? (participant ? this.#open(participant) : undefined);
    if (link) void link.receive(signal);
    else this.#keep(from, signal);
  }

  /** Signals addressed to us while away were lost: renegotiate from scratch with everyone. */
  restartAll(): void {
    for (const link of this.#links.values()) void link.restartIce().catch(() => undefined);
  }

  /** Sends another video track (camera, screen or none) on every link, then shares the budget again. */
  async sendVideo(track: MediaStreamTrack | null): Promise<void> {
    await Promise.all([...this.#links.values()].map((link) => link.replaceTrack('video', track).catch(() => undefined)));
    // A screen share trades frame rate for size and goes first; the camera the other way round.
    this.rebalance();
  }

  /**
   * Every peer gets an even share of our upload budget. Counted over participants, not open
   * links, so a link still waiting for its newcomer's offer is already reserved its share and
   * the caps never add up to more than the budget.
   */
  rebalance(): void {
    const share = this.#share();
    for (const link of this.#links.values()) void link.setVideoBudget(share);
  }

  /** How loud each participant was since the last reading (0..1), by peer id. */
  async audioLevels(): Promise<Map<string, number>> {
    const links = [...this.#links];
    const levels = await Promise.all(links.map(([, link]) => link.audioLevel().catch(() => 0)));
    return new Map(links.map(([peerId], i) => [peerId, levels[i] ?? 0]));
  }

  /** Everyone leaves: every connection closes. */
  clear(): void {
    for (const timer of this.#linkTimers.values()) clearTimeout(timer);
    this.#linkTimers.clear();
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.#pendingSignals.clear();
    this.participants = [];
  }

  #share(): VideoBudgetShare {
    return { budgetKbps: this.#options.budgetKbps(), peerCount: this.participants.length, screenSharing: this.#options.screenSharing() };
  }

  /** Creates the peer connection to a participant and applies what they already sent. */
  #open(participant: RemoteParticipant): MeshLink | undefined {
    const peerId = participant.peerId;
    clearTimeout(this.#linkTimers.get(peerId));
    this.#linkTimers.delete(peerId);
    const existing = this.#links.get(peerId);
    const selfPeerId = this.#options.selfPeerId();
    if (existing || !selfPeerId || !this.participants.includes(participant)) return existing;
    const link = this.#options.openLink(participant, selfPeerId);
    this.#links.set(peerId, link);
    void link.setVideoBudget(this.#share());
    const pending = this.#pendingSignals.get(peerId) ?? [];
    this.#pendingSignals.delete(peerId);
    for (const signal of pending) void link.receive(signal);
    return link;
  }

  #keep(from: string, signal: IncomingSignal): void {
    let queue = this.#pendingSignals.get(from);
    if (!queue) {
      if (this.#pendingSignals.size >= MAX_PENDING_PEERS) return;
      queue = [];
      this.#pendingSignals.set(from, queue);
    }
    if (queue.length < MAX_PENDING_SIGNALS_PER_PEER) queue.push(signal);
  }
}

export interface PeerLinkSettings {
  iceServers: () => RTCIceServer[];
  freshIceServers: () => Promise<RTCIceServer[]>;
  relayOnly: boolean;
  localStream: () => MediaStream;
  sendSignal: (to: string, signal: OutgoingSignal) => void;
}

/** A real PeerLink to a participant, reporting what it sees onto the participant. */
export function peerLinkTo(participant: RemoteParticipant, selfPeerId: string, settings: PeerLinkSettings): MeshLink {
  const peerId = participant.peerId;
  return new PeerLink({
    selfPeerId,
    remotePeerId: peerId,
    configuration: { iceServers: settings.iceServers(), iceTransportPolicy: settings.relayOnly ? 'relay' : 'all' },
    localStream: settings.localStream(),
    sendSignal: (signal) => settings.sendSignal(peerId, signal),
    freshIceServers: settings.freshIceServers,
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
}
