import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '@meshcall/server-kit';
import type { SignalMessage } from '@meshcall/shared';
import type { LocalSeat, LocalSeats } from '../seats/local-seats.js';
import type { SignalingMetrics } from '../metrics.js';
import type { Notifier } from '../notifier.js';
import { channelSubscription, type ChannelSubscription } from '../redis/channel-subscription.js';
import { signalMailboxKey, signalingKeys } from '../redis/keys.js';
import { mailboxEntrySchema, type MailboxEntry } from '../seats/replay-plan.js';
import { replicaMessageSchema, type ReplicaMessage } from './replica-messages.js';

/** How long a signal waits for an earlier-numbered one still on its way before it is emitted anyway. */
const OUT_OF_ORDER_WAIT_MS = 500;

/** A signal for one local peer, from the relay script's answer or its publish. */
export interface InboxSignal {
  seq: number;
  message: Record<string, unknown>;
  sentAt?: number;
  fromReplica?: string;
}

/**
 * Where signals reach the sockets this replica holds: from the relay here, when sender and
 * recipient sit on this replica (the usual case, since the gateway sends a room's sockets to one
 * replica), and from this replica's own Redis channel, where other replicas' relays publish to
 * exactly the recipient's replica, never broadcast. The channel also carries evictions (kick,
 * removal by rooms, the same account joining from elsewhere, or a seat resumed on another
 * socket). While a resume replays a mailbox, live signals for that peer are held back and
 * released after it, so the peer sees each signal once and in order.
 */
export class ReplicaInbox {
  private readonly channel: string;
  private readonly subscription: ChannelSubscription;
  private readonly holds = new Map<string, InboxSignal[]>();
  private readonly outOfOrder = new Map<LocalSeat, { signals: InboxSignal[]; timer: NodeJS.Timeout }>();
  private readonly onReconnected = () => {
    this.catchUp().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not catch up on signals published while the subscriber was away'));
  };

  constructor(
    private readonly deps: {
      subscriber: RedisClient;
      /** A command connection, to read mailboxes. */
      commands: RedisClient;
      replicaId: string;
      localSeats: LocalSeats;
      notifier: Notifier;
      metrics: Pick<SignalingMetrics, 'relayLatency'>;
      logger: FastifyBaseLogger;
      now: () => number;
    },
  ) {
    this.channel = signalingKeys.replicaChannel(deps.replicaId);
    this.subscription = channelSubscription({
      subscriber: deps.subscriber,
      channel: this.channel,
      schema: replicaMessageSchema,
      logger: deps.logger,
      malformed: 'message on the replica channel',
      onMessage: (message) => this.handle(message),
    });
  }

  async start(): Promise<void> {
    await this.subscription.start();
    // The subscriber says 'ready' again after every reconnection.
    this.deps.subscriber.on('ready', this.onReconnected);
  }

  async stop(): Promise<void> {
    this.deps.subscriber.off('ready', this.onReconnected);
    await this.subscription.stop();
  }

  /** Starts holding back signals for a peer about to resume here; false if a resume is already under way. */
  hold(peerId: string): boolean {
    if (this.holds.has(peerId)) return false;
    this.holds.set(peerId, []);
    return true;
  }

  /** Stops holding and returns what arrived meanwhile, oldest first. */
  release(peerId: string): InboxSignal[] {
    const held = this.holds.get(peerId) ?? [];
    this.holds.delete(peerId);
    return held.sort((a, b) => a.seq - b.seq);
  }

  /**
   * A signal for a peer of this replica, from the relay here or another replica's: held back while
   * the peer's resume replays its mailbox, else delivered.
   */
  receive(roomId: string, peerId: string, signal: InboxSignal): void {
    const held = this.holds.get(peerId);
    if (held) {
      held.push(signal);
      return;
    }
    const seat = this.deps.localSeats.get(peerId);
    if (seat && seat.roomId === roomId) this.deliver(seat, signal);
  }

  /**
   * Emits signals in their order, each once. One numbered after a signal still on its way (a
   * sender here and one on another replica raced, and the two answers travel on different Redis
   * connections) waits for it, at most OUT_OF_ORDER_WAIT_MS.
   */
  deliver(seat: LocalSeat, signal: InboxSignal): void {
    if (signal.seq <= seat.deliveredSeq) return;
    if (signal.seq > seat.deliveredSeq + 1) {
      this.waitForEarlier(seat, signal);
      return;
    }
    this.sendToSocket(seat, signal);
    this.releaseWaiting(seat, false);
  }

  private sendToSocket(seat: LocalSeat, signal: InboxSignal): void {
    seat.deliveredSeq = signal.seq;
    this.deps.notifier.toSocket(seat.socket, 'signal', { ...(signal.message as unknown as SignalMessage), seq: signal.seq });
    if (signal.sentAt !== undefined) {
      const path = signal.fromReplica === this.deps.replicaId ? 'same-replica' : 'cross-replica';
      this.deps.metrics.relayLatency.observe({ path }, Math.max(0, this.deps.now() - signal.sentAt) / 1000);
    }
  }

  private waitForEarlier(seat: LocalSeat, signal: InboxSignal): void {
    let waiting = this.outOfOrder.get(seat);
    if (!waiting) {
      // A signal that never comes (published while the subscriber was away, before the catch-up) must not stall the peer.
      const timer = setTimeout(() => this.releaseWaiting(seat, true), OUT_OF_ORDER_WAIT_MS);
      timer.unref();
      waiting = { signals: [], timer };
      this.outOfOrder.set(seat, waiting);
    }
    if (!waiting.signals.some((other) => other.seq === signal.seq)) waiting.signals.push(signal);
  }

  /** Emits the waiting signals that are next in line, or all of them once the wait is over. */
  private releaseWaiting(seat: LocalSeat, waitIsOver: boolean): void {
    const waiting = this.outOfOrder.get(seat);
    if (!waiting) return;
    waiting.signals.sort((a, b) => a.seq - b.seq);
    const attached = this.deps.localSeats.get(seat.peerId) === seat;
    while (waiting.signals.length > 0 && attached) {
      const next = waiting.signals[0] as InboxSignal;
      if (!waitIsOver && next.seq > seat.deliveredSeq + 1) break;
      waiting.signals.shift();
      if (next.seq > seat.deliveredSeq) this.sendToSocket(seat, next);
    }
    // A seat that left keeps what it did not get in its mailbox, for its resume.
    if (waiting.signals.length === 0 || !attached || waitIsOver) {
      clearTimeout(waiting.timer);
      this.outOfOrder.delete(seat);
    }
  }

  /**
   * Signals published while this replica's subscriber was reconnecting (Redis restarted, a network
   * blip) are in their recipients' mailboxes but never reached this replica: once subscribed again,
   * each local peer gets from its mailbox what it has not been given. Live signals for those peers
   * are held meanwhile and released after, so each arrives once and in order. A peer whose resume
   * is under way is left to the resume, which replays the same mailbox.
   */
  async catchUp(): Promise<void> {
    // Subscribed (again) before the mailboxes are read: nothing can fall between the two.
    await this.deps.subscriber.subscribe(this.channel);
    const local = this.deps.localSeats.roomIds().flatMap((roomId) => this.deps.localSeats.inRoom(roomId));
    const held = local.filter((seat) => this.hold(seat.peerId));
    try {
      if (held.length === 0) return;
      // One read per mailbox, all at once (a pipeline would have to stay on one node of a cluster).
      const replies = await Promise.allSettled(held.map((seat) => this.deps.commands.lrange(signalMailboxKey(seat.roomId, seat.peerId), 0, -1)));
      held.forEach((seat, i) => {
        const reply = replies[i];
        if (reply?.status !== 'fulfilled') return;
        const raw = reply.value;
        const entries = raw.flatMap((item): MailboxEntry[] => {
          try {
            const entry = mailboxEntrySchema.safeParse(JSON.parse(String(item)));
            return entry.success ? [entry.data] : [];
          } catch {
            return [];
          }
        });
        for (const entry of entries.sort((a, b) => a.seq - b.seq)) this.deliver(seat, entry);
      });
    } finally {
      for (const seat of held) {
        const signals = this.release(seat.peerId);
        const current = this.deps.localSeats.get(seat.peerId);
        if (current && current.roomId === seat.roomId) for (const signal of signals) this.deliver(current, signal);
      }
    }
  }

  private handle(message: ReplicaMessage): void {
    if (message.type === 'signal') {
      this.receive(message.roomId, message.peerId, message);
      return;
    }
    const seat = this.deps.localSeats.get(message.peerId);
    // The connection id guards against evicting the socket that just resumed the same seat here.
    if (!seat || seat.roomId !== message.roomId || (message.conn !== undefined && message.conn !== seat.socket.id)) return;
    this.deps.localSeats.detach(seat);
    switch (message.reason) {
      case 'kicked':
      case 'uninvited':
        this.deps.notifier.toSocket(seat.socket, 'room:kicked', { reason: message.reason });
        return;
      case 'joined-elsewhere':
        // The socket stays connected (it may join another room); only its seat moved.
        this.deps.notifier.toSocket(seat.socket, 'room:joined-elsewhere', {});
        return;
      case 'ended':
        // The socket stays connected: the room is still there, and it may join the next call.
        this.deps.notifier.toSocket(seat.socket, 'room:ended', {});
        return;
      case 'replaced':
        seat.socket.disconnect(true);
    }
  }
}
