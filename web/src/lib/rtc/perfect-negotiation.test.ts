import { describe, expect, it } from 'vitest';
import {
  PerfectNegotiator,
  isPolite,
  type CandidateInit,
  type DescriptionInit,
  type IncomingSignal,
  type NegotiationTarget,
  type OutgoingSignal,
} from './perfect-negotiation.js';

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

class InvalidStateError extends Error {
  override name = 'InvalidStateError';
}

/**
 * A peer connection reduced to its JSEP signaling state machine, with the rules browsers enforce:
 * answers only in have-local-offer, candidates only after a remote description, implicit rollback
 * when an offer arrives while our own is pending. Every step takes a macrotask, like the real one.
 */
class FakePeerConnection implements NegotiationTarget {
  signalingState: RTCSignalingState = 'stable';
  localDescription: DescriptionInit | null = null;
  remoteDescription: DescriptionInit | null = null;
  readonly addedCandidates: string[] = [];
  readonly rollbacks: number[] = [];
  #version = 0;

  constructor(readonly name: string) {}

  async setLocalDescription(description?: DescriptionInit): Promise<void> {
    await tick();
    if (description?.type === 'rollback') return this.#rollback();
    if (this.signalingState === 'stable' || this.signalingState === 'have-local-offer') {
      this.#version += 1;
      this.localDescription = { type: 'offer', sdp: `offer ${this.name} v${this.#version}` };
      this.signalingState = 'have-local-offer';
    } else if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: `answer ${this.name} to [${this.remoteDescription?.sdp}]` };
      this.signalingState = 'stable';
    } else {
      throw new InvalidStateError(`setLocalDescription in ${this.signalingState}`);
    }
  }

  async setRemoteDescription(description: DescriptionInit): Promise<void> {
    await tick();
    if (description.type === 'offer') {
      if (this.signalingState === 'have-local-offer') this.#rollback();
      else if (this.signalingState !== 'stable') throw new InvalidStateError(`offer in ${this.signalingState}`);
      this.remoteDescription = description;
      this.signalingState = 'have-remote-offer';
    } else if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new InvalidStateError(`answer in ${this.signalingState}`);
      this.remoteDescription = description;
      this.signalingState = 'stable';
    }
  }

  async addIceCandidate(candidate?: CandidateInit): Promise<void> {
    await tick();
    if (!this.remoteDescription) throw new InvalidStateError('no remote description');
    if (candidate) this.addedCandidates.push(candidate.candidate);
  }

  #rollback(): void {
    this.rollbacks.push(this.#version);
    this.signalingState = 'stable';
    this.localDescription = null;
  }
}

/** Two peers joined by an in-order, asynchronous signaling channel. */
function connectPair(idA: string, idB: string) {
  const pcA = new FakePeerConnection(idA);
  const pcB = new FakePeerConnection(idB);
  const errors: unknown[] = [];
  const delivered: Array<{ to: string; signal: OutgoingSignal }> = [];
  // setTimeout keeps FIFO order, like one Socket.IO connection does.
  const channel = (name: string, to: () => PerfectNegotiator) => (signal: OutgoingSignal) => {
    delivered.push({ to: name, signal });
    setTimeout(() => void to().receive(signal as IncomingSignal), 0);
  };
  const negotiatorA: PerfectNegotiator = new PerfectNegotiator(pcA, {
    polite: isPolite(idA, idB),
    send: channel(idB, () => negotiatorB),
    onError: (e) => errors.push(e),
  });
  const negotiatorB: PerfectNegotiator = new PerfectNegotiator(pcB, {
    polite: isPolite(idB, idA),
    send: channel(idA, () => negotiatorA),
    onError: (e) => errors.push(e),
  });
  return { pcA, pcB, negotiatorA, negotiatorB, errors, delivered };
}

/** Lets the asynchronous exchange run to its end (bounded: it never needs more than a few dozen steps). */
async function settle(): Promise<void> {
  for (let i = 0; i < 100; i += 1) await tick();
}

function expectAgreed(a: FakePeerConnection, b: FakePeerConnection): void {
  expect(a.signalingState).toBe('stable');
  expect(b.signalingState).toBe('stable');
  expect(a.remoteDescription?.sdp).toBe(b.localDescription?.sdp);
  expect(b.remoteDescription?.sdp).toBe(a.localDescription?.sdp);
}

describe('isPolite', () => {
  it('makes exactly one side of every pair polite', () => {
    const ids = ['abcdefgh1', 'ZZZZZZZZ', 'a_b-c1234', 'peer00001', 'peer00002'];
    for (const a of ids) {
      for (const b of ids) {
        if (a !== b) expect(isPolite(a, b)).not.toBe(isPolite(b, a));
      }
    }
  });
});

describe('PerfectNegotiator', () => {
  it('completes an offer/answer when one side needs negotiation', async () => {
    const { pcA, pcB, negotiatorA, errors } = connectPair('peerAAAA', 'peerBBBB');
    await negotiatorA.negotiationNeeded();
    await settle();
    expectAgreed(pcA, pcB);
    expect(pcA.localDescription?.type).toBe('offer');
    expect(errors).toEqual([]);
  });

  it('resolves glare: the impolite side ignores the colliding offer, the polite side rolls back and answers', async () => {
    const { pcA, pcB, negotiatorA, negotiatorB, errors } = connectPair('peerAAAA', 'peerBBBB');
    // B's id sorts higher, so B is polite.
    expect(negotiatorB.polite).toBe(true);
    await Promise.all([negotiatorA.negotiationNeeded(), negotiatorB.negotiationNeeded()]);
    await settle();

    expectAgreed(pcA, pcB);
    expect(negotiatorA.ignoredOffers).toBe(1);
    expect(negotiatorB.ignoredOffers).toBe(0);
    expect(pcB.rollbacks).toHaveLength(1);
    expect(pcA.rollbacks).toHaveLength(0);
    // The impolite side's offer won: the polite side answered it.
    expect(pcB.localDescription?.sdp).toBe(`answer peerBBBB to [${pcA.localDescription?.sdp}]`);
    expect(errors).toEqual([]);
  });

  it('resolves glare the same way whichever side is polite', async () => {
    const { pcA, pcB, negotiatorA, negotiatorB, errors } = connectPair('peerZZZZ', 'peerBBBB');
    await Promise.all([negotiatorB.negotiationNeeded(), negotiatorA.negotiationNeeded()]);
    await settle();
    expectAgreed(pcA, pcB);
    expect(negotiatorB.ignoredOffers + negotiatorA.ignoredOffers).toBe(1);
    expect(errors).toEqual([]);
  });

  it('sends the answer when negotiation-needed fires while a remote offer is being applied', async () => {
    // The joiner creates its link (adding tracks queues negotiation-needed) and at once applies the
    // offer that was waiting for it; the description negotiation-needed then sets is the answer.
    const pc = new FakePeerConnection('self');
    const sent: OutgoingSignal[] = [];
    const errors: unknown[] = [];
    const negotiator = new PerfectNegotiator(pc, { polite: false, send: (s) => sent.push(s), onError: (e) => errors.push(e) });
    const applying = negotiator.receive({ description: { type: 'offer', sdp: 'remote offer' } });
    // Let setRemoteDescription start (microtasks only), as the browser's operation chain would.
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
    expect(pc.signalingState).toBe('stable');
    const negotiating = negotiator.negotiationNeeded();
    await Promise.all([applying, negotiating]);
    expect(sent[0]).toEqual({ description: { type: 'answer', sdp: 'answer self to [remote offer]' } });
    expect(errors).toEqual([]);
  });

  it('keeps candidates that arrive before the offer and applies them, in order, once it is set', async () => {
    const pc = new FakePeerConnection('self');
    const sent: OutgoingSignal[] = [];
    const errors: unknown[] = [];
    const negotiator = new PerfectNegotiator(pc, { polite: true, send: (s) => sent.push(s), onError: (e) => errors.push(e) });

    await negotiator.receive({ candidate: { candidate: 'candidate:1', sdpMid: '0' } });
    await negotiator.receive({ candidate: { candidate: 'candidate:2', sdpMid: '0' } });
    expect(pc.addedCandidates).toEqual([]);
    expect(negotiator.bufferedCandidates).toBe(2);

    await negotiator.receive({ description: { type: 'offer', sdp: 'remote offer' } });
    await negotiator.receive({ candidate: { candidate: 'candidate:3', sdpMid: '0' } });

    expect(pc.addedCandidates).toEqual(['candidate:1', 'candidate:2', 'candidate:3']);
    expect(sent).toEqual([{ description: { type: 'answer', sdp: 'answer self to [remote offer]' } }]);
    expect(errors).toEqual([]);
  });

  it('does not report failures of candidates that belong to an offer it ignored', async () => {
    const { pcA, pcB, negotiatorA, negotiatorB, errors } = connectPair('peerAAAA', 'peerBBBB');
    void negotiatorA.negotiationNeeded();
    void negotiatorB.negotiationNeeded();
    // B (polite) trickles a candidate for its own, soon rolled-back, offer.
    negotiatorB.localCandidate({ candidate: 'candidate:from-B', sdpMid: '0' });
    await settle();
    expectAgreed(pcA, pcB);
    expect(errors).toEqual([]);
  });

  it('sends ICE candidates as plain objects and skips the end-of-candidates marker', () => {
    const sent: OutgoingSignal[] = [];
    const negotiator = new PerfectNegotiator(new FakePeerConnection('x'), { polite: false, send: (s) => sent.push(s) });
    const candidateLike = Object.assign(Object.create({ toJSON() {} }) as object, {
      candidate: 'candidate:9',
      sdpMid: '1',
      sdpMLineIndex: 1,
      usernameFragment: 'uf',
    }) as CandidateInit;
    negotiator.localCandidate(candidateLike);
    negotiator.localCandidate(null);
    negotiator.localCandidate({ candidate: '' });
    expect(sent).toEqual([{ candidate: { candidate: 'candidate:9', sdpMid: '1', sdpMLineIndex: 1, usernameFragment: 'uf' } }]);
    expect(Object.getPrototypeOf((sent[0] as { candidate: object }).candidate)).toBe(Object.prototype);
  });

  it('renegotiates later (an ICE restart or a new track) without collisions', async () => {
    const { pcA, pcB, negotiatorA, negotiatorB, errors } = connectPair('peerAAAA', 'peerBBBB');
    await negotiatorA.negotiationNeeded();
    await settle();
    await negotiatorB.negotiationNeeded();
    await settle();
    expectAgreed(pcA, pcB);
    expect(pcB.localDescription?.sdp).toBe('offer peerBBBB v1');
    expect(negotiatorA.ignoredOffers + negotiatorB.ignoredOffers).toBe(0);
    expect(errors).toEqual([]);
  });

  it('reports a description the connection refuses instead of throwing from the socket handler', async () => {
    const pc = new FakePeerConnection('self');
    const errors: unknown[] = [];
    const negotiator = new PerfectNegotiator(pc, { polite: true, send: () => undefined, onError: (e) => errors.push(e) });
    await negotiator.receive({ description: { type: 'answer', sdp: 'unsolicited' } });
    expect(errors).toHaveLength(1);
    expect(pc.signalingState).toBe('stable');
  });

  it('applies nothing once closed', async () => {
    const pc = new FakePeerConnection('self');
    const sent: OutgoingSignal[] = [];
    const negotiator = new PerfectNegotiator(pc, { polite: true, send: (s) => sent.push(s) });
    negotiator.close();
    await negotiator.receive({ description: { type: 'offer', sdp: 'late offer' } });
    await negotiator.negotiationNeeded();
    expect(pc.remoteDescription).toBeNull();
    expect(sent).toEqual([]);
  });
});
