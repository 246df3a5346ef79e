import { IceRecovery, type IceRecoveryStatus } from './ice-recovery.js';
import { PerfectNegotiator, isPolite, type IncomingSignal, type OutgoingSignal } from './perfect-negotiation.js';
import { summarizeStats, type ConnectionQuality, type StatsSample } from './stats-summary.js';
import { UPLINK_START, adaptUplink, readUplink, type UplinkState } from './uplink-adaptation.js';
import { videoSendLimits, type VideoSendInput } from './video-send-policy.js';

const STATS_INTERVAL_MS = 2_000;

export interface PeerLinkState {
  connection: RTCPeerConnectionState;
  ice: RTCIceConnectionState;
  recovery: IceRecoveryStatus;
}

export interface RemoteTracks {
  /** The video track to show: the newest one that is actually receiving. */
  video: MediaStreamTrack | null;
  audio: MediaStreamTrack[];
}

/** This link's part of our video upload budget; the link adds its own congestion on top. */
export type VideoBudgetShare = Omit<VideoSendInput, 'congestionScale'>;

export interface PeerLinkOptions {
  selfPeerId: string;
  remotePeerId: string;
  configuration: RTCConfiguration;
  /** Our outgoing media: one audio and one video track at most (either may be missing). */
  localStream: MediaStream | null;
  sendSignal: (signal: OutgoingSignal) => void;
  /** Fresh TURN credentials for an ICE restart (the ones from joining may have expired). */
  freshIceServers: () => Promise<RTCIceServer[]>;
  onTracks: (tracks: RemoteTracks) => void;
  onState: (state: PeerLinkState) => void;
  onQuality: (quality: ConnectionQuality) => void;
  /**
   * The video bitrate cap now set on our sender to this peer, and the even share of the budget it
   * was cut from (the cap is lower while the link is congested), kbit/s.
   */
  onVideoCap?: (cap: { capKbps: number; shareKbps: number }) => void;
  onProblem?: (message: string, error: unknown) => void;
}

/**
 * One RTCPeerConnection to one remote peer: perfect negotiation, ICE restart with fresh
 * credentials, track replacement for mute/camera/screen share, stats, and teardown.
 */
export class PeerLink {
  readonly remotePeerId: string;
  readonly #pc: RTCPeerConnection;
  readonly #negotiator: PerfectNegotiator;
  readonly #recovery: IceRecovery;
  readonly #options: PeerLinkOptions;
  readonly #transceivers: Record<'audio' | 'video', RTCRtpTransceiver>;
  readonly #remoteTracks: MediaStreamTrack[] = [];
  #statsTimer: ReturnType<typeof setInterval> | null = null;
  #lastSample: StatsSample | null = null;
  #videoBudget: VideoBudgetShare | null = null;
  #uplink: UplinkState = UPLINK_START;
  #videoCapKbps: number | null = null;
  /** setParameters calls must not overlap: each needs the transaction of a fresh getParameters. */
  #videoLimitsWrite: Promise<void> = Promise.resolve();
  #closed = false;
  /** The receiver's audio counters at the last audioLevel() reading. */
  #audioTotals = { energy: 0, duration: 0 };

  constructor(options: PeerLinkOptions) {
    this.#options = options;
    this.remotePeerId = options.remotePeerId;
    const pc = new RTCPeerConnection(options.configuration);
    this.#pc = pc;
    this.#negotiator = new PerfectNegotiator(pc, {
      polite: isPolite(options.selfPeerId, options.remotePeerId),
      send: options.sendSignal,
      onError: (error, during) => options.onProblem?.(`negotiation failed during ${during}`, error),
    });
    this.#recovery = new IceRecovery({
      restart: () => this.restartIce(),
      onGiveUp: () => this.#emitState(),
    });

    pc.onnegotiationneeded = () => void this.#negotiator.negotiationNeeded();
    pc.onicecandidate = ({ candidate }) => this.#negotiator.localCandidate(candidate ? { ...candidate.toJSON(), candidate: candidate.candidate } : null);
    pc.ontrack = ({ track }) => this.#addRemoteTrack(track);
    pc.oniceconnectionstatechange = () => {
      this.#recovery.onIceStateChange(pc.iceConnectionState);
      this.#emitState();
    };
    pc.onconnectionstatechange = () => {
      this.#emitState();
      // Show the path as soon as there is one instead of at the next periodic sample.
      if (pc.connectionState === 'connected') {
        void this.#sampleStats();
        // Negotiation may have replaced the encodings set before it; writes only what differs.
        void this.#applyVideoLimits();
      }
    };

    // addTrack (not addTransceiver) where we have a track: when both sides offer at once, the
    // polite side's addTrack transceivers are reused for the winning offer instead of piling up.
    this.#transceivers = {
      audio: this.#sendOrReceive('audio'),
      video: this.#sendOrReceive('video'),
    };
    this.#statsTimer = setInterval(() => void this.#sampleStats(), STATS_INTERVAL_MS);
  }

  /**
   * How loud the participant was since the last call (0..1, linear RMS): the audio energy the
   * browser counted over the samples received meanwhile (`inbound-rtp` totalAudioEnergy), so a
   * short sound between two readings still counts. 0 when nothing was heard.
   */
  async audioLevel(): Promise<number> {
    const receiver = this.#transceivers.audio.receiver;
    let energy = 0;
    let duration = 0;
    for (const stat of (await receiver.getStats()).values() as IterableIterator<Record<string, unknown>>) {
      if (stat.type !== 'inbound-rtp') continue;
      energy += typeof stat.totalAudioEnergy === 'number' ? stat.totalAudioEnergy : 0;
      duration += typeof stat.totalSamplesDuration === 'number' ? stat.totalSamplesDuration : 0;
    }
    const previous = this.#audioTotals;
    this.#audioTotals = { energy, duration };
    const seconds = duration - previous.duration;
    return seconds > 0 ? Math.sqrt(Math.max(0, energy - previous.energy) / seconds) : 0;
  }

  /** Applies a description or candidate relayed from the remote peer. */
  receive(signal: IncomingSignal): Promise<void> {
    return this.#negotiator.receive(signal);
  }

  /**
   * Sends `track` instead of the current one of its kind (screen share, camera back on), or
   * nothing (`null`). Swapping on an existing sender needs no renegotiation; a transceiver that
   * was only receiving starts sending, which renegotiates through perfect negotiation.
   */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    if (this.#closed) return;
    const transceiver = this.#transceivers[kind];
    await transceiver.sender.replaceTrack(track);
    if (track && (transceiver.direction === 'recvonly' || transceiver.direction === 'inactive')) {
      if (this.#options.localStream) transceiver.sender.setStreams(this.#options.localStream);
      transceiver.direction = 'sendrecv';
    }
  }

  /**
   * Sets this link's share of our upload budget (peers joined or left, screen share on or off)
   * and caps the video sender to it.
   */
  setVideoBudget(share: VideoBudgetShare): Promise<void> {
    this.#videoBudget = share;
    return this.#applyVideoLimits();
  }

  /** Restarts ICE with fresh TURN credentials: the offer that follows gathers new candidates. */
  async restartIce(): Promise<void> {
    if (this.#closed) return;
    const iceServers = await this.#options.freshIceServers();
    if (this.#closed) return;
    this.#pc.setConfiguration({ ...this.#pc.getConfiguration(), iceServers });
    // An offer still unanswered after this long was lost: withdraw it, so the restart offer can go.
    if (this.#pc.signalingState === 'have-local-offer') await this.#pc.setLocalDescription({ type: 'rollback' });
    this.#pc.restartIce();
  }

  /** Stops everything this link owns. Local tracks stay: they belong to the call, not to one peer. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#statsTimer = null;
    this.#recovery.stop();
    this.#negotiator.close();
    const pc = this.#pc;
    pc.onnegotiationneeded = null;
    pc.onicecandidate = null;
    pc.ontrack = null;
    pc.oniceconnectionstatechange = null;
    pc.onconnectionstatechange = null;
    for (const track of this.#remoteTracks) {
      track.onmute = null;
      track.onunmute = null;
      track.onended = null;
    }
    pc.close();
  }

  #applyVideoLimits(): Promise<void> {
    this.#videoLimitsWrite = this.#videoLimitsWrite
      .then(() => this.#writeVideoLimits())
      .catch((error: unknown) => this.#options.onProblem?.('capping the video sender failed', error));
    return this.#videoLimitsWrite;
  }

  async #writeVideoLimits(): Promise<void> {
    if (this.#closed || !this.#videoBudget) return;
    const limits = videoSendLimits({ ...this.#videoBudget, congestionScale: this.#uplink.congestionScale });
    const sender = this.#transceivers.video.sender;
    const parameters = sender.getParameters();
    const encoding = parameters.encodings[0];
    // No encoding yet (before negotiation in some browsers): applied again once connected.
    if (!limits || !encoding) return;
    const unchanged =
      encoding.maxBitrate === limits.maxBitrate &&
      encoding.scaleResolutionDownBy === limits.scaleResolutionDownBy &&
      encoding.maxFramerate === limits.maxFramerate &&
      encoding.priority === limits.priority;
    if (!unchanged) {
      encoding.maxBitrate = limits.maxBitrate;
      encoding.scaleResolutionDownBy = limits.scaleResolutionDownBy;
      encoding.maxFramerate = limits.maxFramerate;
      encoding.priority = limits.priority;
      encoding.networkPriority = limits.priority;
      await sender.setParameters(parameters);
      if (this.#closed) return;
    }
    const capKbps = limits.maxBitrate / 1000;
    this.#videoCapKbps = capKbps;
    this.#options.onVideoCap?.({ capKbps, shareKbps: limits.shareKbps });
  }

  #sendOrReceive(kind: 'audio' | 'video'): RTCRtpTransceiver {
    const stream = this.#options.localStream;
    const track = stream?.getTracks().find((t) => t.kind === kind);
    if (stream && track) {
      const sender = this.#pc.addTrack(track, stream);
      const transceiver = this.#pc.getTransceivers().find((t) => t.sender === sender);
      if (transceiver) return transceiver;
    }
    // Without a local device we still want the other side's media.
    return this.#pc.addTransceiver(kind, { direction: 'recvonly' });
  }

  #addRemoteTrack(track: MediaStreamTrack): void {
    if (this.#remoteTracks.includes(track)) return;
    this.#remoteTracks.push(track);
    const update = () => this.#emitTracks();
    track.onmute = update;
    track.onunmute = update;
    track.onended = () => {
      const index = this.#remoteTracks.indexOf(track);
      if (index >= 0) this.#remoteTracks.splice(index, 1);
      update();
    };
    update();
  }

  #emitTracks(): void {
    const live = this.#remoteTracks.filter((t) => t.readyState === 'live');
    const videos = live.filter((t) => t.kind === 'video');
    const video = [...videos].reverse().find((t) => !t.muted) ?? videos[videos.length - 1] ?? null;
    this.#options.onTracks({ video, audio: live.filter((t) => t.kind === 'audio') });
  }

  #emitState(): void {
    if (this.#closed) return;
    this.#options.onState({ connection: this.#pc.connectionState, ice: this.#pc.iceConnectionState, recovery: this.#recovery.status });
  }

  async #sampleStats(): Promise<void> {
    if (this.#closed) return;
    try {
      const report = await this.#pc.getStats();
      if (this.#closed) return;
      const { quality, sample } = summarizeStats(report.values(), this.#lastSample);
      this.#lastSample = sample;
      this.#options.onQuality(quality);
      if (this.#videoCapKbps !== null) {
        const uplink = adaptUplink(this.#uplink, readUplink(report.values(), this.#videoCapKbps));
        const rescaled = uplink.congestionScale !== this.#uplink.congestionScale;
        this.#uplink = uplink;
        if (rescaled) await this.#applyVideoLimits();
      }
    } catch (error) {
      this.#options.onProblem?.('reading connection stats failed', error);
    }
  }
}
