/**
 * The W3C "perfect negotiation" pattern (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example)
 * for one peer connection, separated from the browser so it can be tested: both sides may offer at
 * any time; when offers collide, the impolite side ignores the incoming one and the polite side
 * rolls its own back and answers.
 */

/** Which side yields when offers collide. Both peers compute it from the same two ids, so they agree. */
export function isPolite(selfPeerId: string, remotePeerId: string): boolean {
  return selfPeerId > remotePeerId;
}

export interface DescriptionInit {
  type: RTCSdpType;
  sdp?: string;
}

export interface CandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** The part of RTCPeerConnection the pattern drives. */
export interface NegotiationTarget {
  readonly signalingState: RTCSignalingState;
  readonly remoteDescription: DescriptionInit | null;
  readonly localDescription: DescriptionInit | null;
  setLocalDescription(description?: DescriptionInit): Promise<void>;
  setRemoteDescription(description: DescriptionInit): Promise<void>;
  addIceCandidate(candidate?: CandidateInit): Promise<void>;
}

/** What one peer sends another through signaling: exactly one of the two fields. */
export type OutgoingSignal = { description: DescriptionInit } | { candidate: CandidateInit };

export interface IncomingSignal {
  description?: DescriptionInit | undefined;
  /** `null` marks the end of the remote side's candidates. */
  candidate?: CandidateInit | null | undefined;
}

export interface NegotiatorOptions {
  polite: boolean;
  send: (signal: OutgoingSignal) => void;
  /** Failures worth logging; the pattern itself recovers from collisions without reporting them. */
  onError?: (error: unknown, during: 'offer' | 'remote-description' | 'candidate') => void;
}

/** Candidates kept for a connection whose remote description has not arrived yet. */
const MAX_PENDING_CANDIDATES = 256;

export class PerfectNegotiator {
  readonly polite: boolean;
  readonly #pc: NegotiationTarget;
  readonly #options: NegotiatorOptions;
  #makingOffer = false;
  #ignoreOffer = false;
  #isSettingRemoteAnswerPending = false;
  #pendingCandidates: Array<CandidateInit | null> = [];
  /** Remote signals are applied one at a time, in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** Offers dropped because of a collision (impolite side only); for diagnostics and tests. */
  ignoredOffers = 0;
  /** Remote candidates that arrived before any remote description and were kept. */
  bufferedCandidates = 0;

  constructor(pc: NegotiationTarget, options: NegotiatorOptions) {
    this.#pc = pc;
    this.polite = options.polite;
    this.#options = options;
  }

  /** Call from `negotiationneeded`: sends an offer (an ICE-restart offer after `restartIce()`). */
  async negotiationNeeded(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      await this.#pc.setLocalDescription();
      // Usually an offer; but when a remote offer was applied meanwhile, the implicit description
      // is the answer to it, and the remote peer waits for exactly that. Send whatever was set.
      const description = this.#pc.localDescription;
      if (description && !this.#closed) this.#options.send({ description: copyDescription(description) });
    } catch (error) {
      this.#options.onError?.(error, 'offer');
    } finally {
      this.#makingOffer = false;
    }
  }

  /** Call for every local ICE candidate the connection gathers. */
  localCandidate(candidate: CandidateInit | null): void {
    if (this.#closed || candidate === null || candidate.candidate === '') return;
    this.#options.send({ candidate: copyCandidate(candidate) });
  }

  /** Applies a description or candidate from the remote peer. Resolves once it was applied. */
  receive(signal: IncomingSignal): Promise<void> {
    const next = this.#queue.then(() => this.#apply(signal));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Stops sending and applying anything; the connection is being torn down. */
  close(): void {
    this.#closed = true;
    this.#pendingCandidates = [];
  }

  async #apply(signal: IncomingSignal): Promise<void> {
    if (this.#closed) return;
    if (signal.description) {
      await this.#applyDescription(signal.description);
    } else if (signal.candidate !== undefined) {
      await this.#applyCandidate(signal.candidate);
    }
  }

  async #applyDescription(description: DescriptionInit): Promise<void> {
    const readyForOffer = !this.#makingOffer && (this.#pc.signalingState === 'stable' || this.#isSettingRemoteAnswerPending);
    const offerCollision = description.type === 'offer' && !readyForOffer;
    this.#ignoreOffer = !this.polite && offerCollision;
    if (this.#ignoreOffer) {
      this.ignoredOffers += 1;
      return;
    }
    try {
      this.#isSettingRemoteAnswerPending = description.type === 'answer';
      // On the polite side a colliding offer rolls our own offer back implicitly.
      await this.#pc.setRemoteDescription(description);
    } catch (error) {
      this.#options.onError?.(error, 'remote-description');
      return;
    } finally {
      this.#isSettingRemoteAnswerPending = false;
    }
    await this.#flushPendingCandidates();
    if (description.type === 'offer') {
      try {
        await this.#pc.setLocalDescription();
        const answer = this.#pc.localDescription;
        if (answer && !this.#closed) this.#options.send({ description: copyDescription(answer) });
      } catch (error) {
        this.#options.onError?.(error, 'remote-description');
      }
    }
  }

  async #applyCandidate(candidate: CandidateInit | null): Promise<void> {
    // addIceCandidate throws without a remote description; candidates often outrun the offer.
    if (!this.#pc.remoteDescription) {
      if (this.#pendingCandidates.length < MAX_PENDING_CANDIDATES) {
        this.#pendingCandidates.push(candidate);
        this.bufferedCandidates += 1;
      }
      return;
    }
    try {
      await this.#pc.addIceCandidate(candidate ?? undefined);
    } catch (error) {
      // Candidates belonging to an offer we ignored are expected to fail.
      if (!this.#ignoreOffer) this.#options.onError?.(error, 'candidate');
    }
  }

  async #flushPendingCandidates(): Promise<void> {
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const candidate of pending) {
      try {
        await this.#pc.addIceCandidate(candidate ?? undefined);
      } catch {
        // Kept candidates may belong to an offer that was rolled back or ignored; that is not an error.
      }
    }
  }
}

/** Plain objects only: the signaling schema is strict and RTCSessionDescription carries methods. */
function copyDescription(description: DescriptionInit): DescriptionInit {
  return description.sdp === undefined ? { type: description.type } : { type: description.type, sdp: description.sdp };
}

function copyCandidate(candidate: CandidateInit): CandidateInit {
  const copy: CandidateInit = { candidate: candidate.candidate };
  if (candidate.sdpMid !== undefined) copy.sdpMid = candidate.sdpMid;
  if (candidate.sdpMLineIndex !== undefined) copy.sdpMLineIndex = candidate.sdpMLineIndex;
  if (candidate.usernameFragment !== undefined) copy.usernameFragment = candidate.usernameFragment;
  return copy;
}
