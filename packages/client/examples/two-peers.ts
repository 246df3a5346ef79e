/**
 * The README's example, run by test/example.test.ts against the real stack so it cannot rot:
 * two users sign in, one creates a room, both join it, and an offer goes from one to the other.
 *
 *   npm start                                   # the stack, at http://127.0.0.1:8080
 *   npx tsx packages/client/examples/two-peers.ts http://127.0.0.1:8080
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { MeshcallClient } from '@meshcall/client';

/** What the example saw, for the test to check. */
export interface ExampleOutcome {
  roomId: string;
  alicePeerId: string;
  bobPeerId: string;
  /** The SDP Bob received, and from whom. */
  received: { from: string; sdp: string | undefined };
}

/** Runs the example against the gateway at `gatewayUrl`. */
export async function runExample(gatewayUrl: string): Promise<ExampleOutcome> {
  // One client per user: each keeps its own tokens (and, outside a browser, its refresh cookie).
  const alice = new MeshcallClient({ baseUrl: gatewayUrl });
  const bob = new MeshcallClient({ baseUrl: gatewayUrl });

  // Sign up once; afterwards signIn({ email, password }) does the same for an existing account.
  const password = `example-${randomUUID()}`;
  await alice.signUp({ name: 'Alice', email: `alice-${randomUUID()}@example.com`, password });
  await bob.signUp({ name: 'Bob', email: `bob-${randomUUID()}@example.com`, password });

  // Alice opens a room; each user asks rooms for a join ticket (and TURN credentials).
  const room = await alice.rooms.create({ name: 'SDK example', kind: 'business', capacity: 2, visibility: 'public' });
  const aliceAdmission = await alice.rooms.join(room.id);
  const bobAdmission = await bob.rooms.join(room.id);

  // Each connects to signaling (naming the room, so the gateway puts both on one replica) and takes a seat.
  const aliceCall = await alice.connect({ roomId: room.id });
  const bobCall = await bob.connect({ roomId: room.id });
  try {
    const aliceSeat = await aliceCall.join(aliceAdmission.ticket);
    const aliceSawBob = aliceCall.next('peer:joined');
    const bobSeat = await bobCall.join(bobAdmission.ticket);
    const bobPeer = await aliceSawBob;

    // Alice sends Bob an offer (in a browser: from RTCPeerConnection.createOffer()).
    const bobHears = bobCall.next('signal');
    await aliceCall.signal(bobPeer.peerId, { description: { type: 'offer', sdp: 'v=0 (an SDP offer)' } });
    const signal = await bobHears;

    await aliceCall.leave();
    await bobCall.leave();
    return { roomId: room.id, alicePeerId: aliceSeat.peerId, bobPeerId: bobSeat.peerId, received: { from: signal.from, sdp: signal.description?.sdp } };
  } finally {
    aliceCall.close();
    bobCall.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outcome = await runExample(process.argv[2] ?? 'http://127.0.0.1:8080');
  console.log(`Bob got an offer from ${outcome.received.from}: ${outcome.received.sdp}`);
}
