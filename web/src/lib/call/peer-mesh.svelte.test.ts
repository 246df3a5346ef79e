import type { Peer } from '@meshcall/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VideoBudgetShare } from '../rtc/peer-link.js';
import type { IncomingSignal } from '../rtc/perfect-negotiation.js';
import { PeerMesh, type MeshLink } from './peer-mesh.svelte.js';

// Node has no RTCPeerConnection: each link is a recorder of what the mesh asks of it. The links
// themselves are covered by the browser e2e suite.
class RecordingLink implements MeshLink {
  received: IncomingSignal[] = [];
  budgets: VideoBudgetShare[] = [];
  videoTracks: (MediaStreamTrack | null)[] = [];
  closed = false;
  restarts = 0;
  level = 0;
  async audioLevel() {
    return this.level;
  }
  async receive(signal: IncomingSignal) {
    this.received.push(signal);
  }
  close() {
    this.closed = true;
  }
  async restartIce() {
    this.restarts += 1;
  }
  async replaceTrack(_kind: 'audio' | 'video', track: MediaStreamTrack | null) {
    this.videoTracks.push(track);
  }
  async setVideoBudget(share: VideoBudgetShare) {
    this.budgets.push(share);
  }
}

const peer = (id: string): Peer => ({ peerId: `peer-${id}`, userId: `user-${id}`, name: id, role: 'member', guest: false, media: { audio: true, video: true, screen: false } });
const offer: IncomingSignal = { description: { type: 'offer', sdp: 'v=0' } };

function mesh(selfPeerId: string | null = 'peer-self') {
  const links = new Map<string, RecordingLink>();
  let screenSharing = false;
  const peerMesh = new PeerMesh({
    selfPeerId: () => selfPeerId,
    openLink: (participant) => {
      const link = new RecordingLink();
      links.set(participant.peerId, link);
      return link;
    },
    budgetKbps: () => 2400,
    screenSharing: () => screenSharing,
    newcomerOfferWaitMs: 3_000,
  });
  return { peerMesh, links, share: (on: boolean) => (screenSharing = on) };
}

describe('PeerMesh', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('as the newcomer, opens a link to everyone seated at once, each with an even share of the budget', () => {
    const { peerMesh, links } = mesh();
    peerMesh.sync([peer('alice'), peer('bob')], 'now');
    expect([...links.keys()]).toEqual(['peer-alice', 'peer-bob']);
    expect(links.get('peer-bob')!.budgets.at(-1)).toEqual({ budgetKbps: 2400, peerCount: 2, screenSharing: false });
    expect(links.get('peer-alice')!.budgets.at(-1)?.peerCount).toBe(2);
  });

  it('waits for a newcomer’s offer, and opens its own side when the offer does not come in time', () => {
    const { peerMesh, links } = mesh();
    expect(peerMesh.add(peer('carol'), 'on-their-offer')).toBe(true);
    expect(links.size).toBe(0);
    vi.advanceTimersByTime(2_999);
    expect(links.size).toBe(0);
    vi.advanceTimersByTime(1);
    expect(links.has('peer-carol')).toBe(true);
  });

  it('keeps a signal that overtook the join announcement and hands it to the link', () => {
    const { peerMesh, links } = mesh();
    peerMesh.receive('peer-dave', offer);
    expect(links.size).toBe(0);
    peerMesh.add(peer('dave'), 'on-their-offer');
    expect(links.get('peer-dave')!.received).toEqual([offer]);
  });

  it('reserves a share for a link still waiting for its offer, so the caps never exceed the budget', () => {
    const { peerMesh, links } = mesh();
    peerMesh.add(peer('alice'), 'now');
    peerMesh.add(peer('bob'), 'on-their-offer');
    expect(links.get('peer-alice')!.budgets.at(-1)?.peerCount).toBe(2);
  });

  it('closes the link of whoever leaves and gives the others a larger share', () => {
    const { peerMesh, links } = mesh();
    peerMesh.sync([peer('alice'), peer('bob')], 'now');
    peerMesh.remove('peer-bob');
    expect(links.get('peer-bob')!.closed).toBe(true);
    expect(peerMesh.participants.map((p) => p.name)).toEqual(['alice']);
    expect(links.get('peer-alice')!.budgets.at(-1)?.peerCount).toBe(1);
  });

  it('sends a screen on every link, then shares the budget with the screen first', async () => {
    const { peerMesh, links, share } = mesh();
    peerMesh.sync([peer('alice'), peer('bob')], 'now');
    const screen = { kind: 'video' } as MediaStreamTrack;
    share(true);
    await peerMesh.sendVideo(screen);
    for (const link of links.values()) {
      expect(link.videoTracks).toEqual([screen]);
      expect(link.budgets.at(-1)?.screenSharing).toBe(true);
    }
  });

  it('follows the server’s list after a resume: who left goes, who stayed keeps their link, everyone restarts ICE on resync', () => {
    const { peerMesh, links } = mesh();
    peerMesh.sync([peer('alice'), peer('bob')], 'now');
    const aliceLink = links.get('peer-alice');
    peerMesh.sync([peer('alice')], 'on-their-offer');
    expect(peerMesh.participants.map((p) => p.name)).toEqual(['alice']);
    expect(links.get('peer-alice')).toBe(aliceLink);
    peerMesh.restartAll();
    expect(aliceLink!.restarts).toBe(1);
  });

  it('reports how loud each participant is', async () => {
    const { peerMesh, links } = mesh();
    peerMesh.sync([peer('alice'), peer('bob')], 'now');
    links.get('peer-bob')!.level = 0.4;
    expect(await peerMesh.audioLevels()).toEqual(new Map([['peer-alice', 0], ['peer-bob', 0.4]]));
  });

  it('adds nobody before we hold a seat', () => {
    const { peerMesh } = mesh(null);
    expect(peerMesh.add(peer('alice'), 'now')).toBe(false);
    expect(peerMesh.participants).toEqual([]);
  });

  it('closes everything when the call ends', () => {
    const { peerMesh, links } = mesh();
    peerMesh.sync([peer('alice')], 'now');
    peerMesh.add(peer('bob'), 'on-their-offer');
    peerMesh.clear();
    vi.advanceTimersByTime(10_000);
    expect(links.get('peer-alice')!.closed).toBe(true);
    expect(links.has('peer-bob')).toBe(false);
    expect(peerMesh.participants).toEqual([]);
  });
});
