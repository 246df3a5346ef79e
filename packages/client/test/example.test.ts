import { describe, expect, inject, it } from 'vitest';
import { runExample } from '../examples/two-peers.js';

describe('the README example (examples/two-peers.ts)', () => {
  it('signs two users in, seats both in one room and delivers an offer from one to the other', async () => {
    const outcome = await runExample(inject('gatewayUrl'));
    expect(outcome.received).toEqual({ from: outcome.alicePeerId, sdp: 'v=0 (an SDP offer)' });
    expect(outcome.bobPeerId).not.toBe(outcome.alicePeerId);
  });
});
