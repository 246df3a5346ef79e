import type { MediaState, Peer, RoomRole } from '@meshcall/shared';
import type { PeerLinkState } from '../rtc/peer-link.js';
import type { ConnectionQuality } from '../rtc/stats-summary.js';

/** One other person in the call, as the UI shows them. */
export class RemoteParticipant {
  readonly peerId: string;
  userId = $state('');
  name = $state('');
  role = $state<RoomRole>('member');
  /** Joined as a guest, without an account. */
  guest = $state(false);
  media = $state<MediaState>({ audio: true, video: true, screen: false });
  videoTrack = $state<MediaStreamTrack | null>(null);
  audioTracks = $state<MediaStreamTrack[]>([]);
  link = $state<PeerLinkState>({ connection: 'new', ice: 'new', recovery: 'healthy' });
  quality = $state<ConnectionQuality | null>(null);
  /** The cap on the video we send them, kbit/s: their share of our upload budget. */
  videoCapKbps = $state<number | null>(null);
  /** Their even share of our upload budget, kbit/s: the cap unless their link is congested. */
  videoShareKbps = $state<number | null>(null);

  constructor(peer: Peer) {
    this.peerId = peer.peerId;
    this.update(peer);
  }

  update(peer: Peer): void {
    this.userId = peer.userId;
    this.name = peer.name;
    this.role = peer.role;
    this.guest = peer.guest;
    this.media = peer.media;
  }
}
