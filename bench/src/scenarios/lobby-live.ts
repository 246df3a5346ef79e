import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { redisChannels } from '@meshcall/shared';
import { cpuMeter, type MeteredProcess } from '../process-memory.js';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * The live lobby at scale (issue 15): `viewers` lobby WebSockets through the gateway while
 * `changesPerSecond` rooms change occupancy, published on Redis exactly as signaling publishes
 * them. Each change goes to a different public room, so a change is known by its room id in the
 * viewers' `rooms:occupancy` messages (several changes each); latency is from the publish to each
 * viewer's receipt.
 */
export interface LiveLobbyOptions {
  viewers: number;
  changesPerSecond: number;
  durationMs: number;
}

export interface LiveLobbyResult extends LiveLobbyOptions {
  changesPublished: number;
  /** changesPublished × viewers: every viewer sees every public room's occupancy. */
  deliveriesExpected: number;
  deliveriesReceived: number;
  latency: LatencySummary;
  /** CPU over the run, in cores: the rooms service (the fan-out), the gateway, and the whole machine (`machine total`). */
  cpuCores: Record<string, number>;
}

const CONNECT_BATCH = 50;
/** After the last change, how long stragglers may still arrive. */
const DRAIN_MS = 2_000;
const ROOM_ID = /"roomId":"([A-Za-z0-9_-]+)"/g;

async function openViewer(url: string, origin: string, token: string, onOccupancy: (roomId: string) => void): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers: { origin } });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a lobby viewer got no ready message within 15 s')), 15_000);
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.once('message', (data) => {
      clearTimeout(timer);
      if (String(data).includes('"ready"')) resolve();
      else reject(new Error(`a lobby viewer was answered ${String(data).slice(0, 200)}`));
    });
  });
  // A regular expression instead of JSON.parse: the bench's own client must not be the bottleneck.
  socket.on('message', (data) => {
    const text = String(data);
    if (!text.includes('rooms:occupancy')) return;
    for (const match of text.matchAll(ROOM_ID)) if (match[1]) onOccupancy(match[1]);
  });
  return socket;
}

export async function measureLiveLobby(
  stack: { gatewayUrl: string },
  redis: Redis,
  token: string,
  roomIds: Array<{ id: string; capacity: number }>,
  processes: MeteredProcess[],
  options: LiveLobbyOptions,
  progress: (line: string) => void,
): Promise<LiveLobbyResult> {
  const url = `${stack.gatewayUrl.replace(/^http/, 'ws')}/api/rooms/live`;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const onOccupancy = (roomId: string) => {
    const sent = sentAt.get(roomId);
    if (sent !== undefined) latencies.push(performance.now() - sent);
  };
  const viewers: WebSocket[] = [];
  try {
    for (let start = 0; start < options.viewers; start += CONNECT_BATCH) {
      const batch = Math.min(CONNECT_BATCH, options.viewers - start);
      viewers.push(...(await Promise.all(Array.from({ length: batch }, () => openViewer(url, stack.gatewayUrl, token, onOccupancy)))));
    }
    progress(`lobby live: ${viewers.length} viewers connected; ${options.changesPerSecond} occupancy changes a second for ${options.durationMs / 1000} s`);

    const cpu = cpuMeter(processes);
    const total = Math.floor((options.changesPerSecond * options.durationMs) / 1000);
    const started = performance.now();
    let published = 0;
    while (published < total) {
      // Paced against the clock, so a slow tick catches up instead of stretching the run.
      const due = Math.min(total, Math.floor(((performance.now() - started) * options.changesPerSecond) / 1000) + 1);
      const pipeline = redis.pipeline();
      for (; published < due; published++) {
        const room = roomIds[published % roomIds.length] as { id: string; capacity: number };
        sentAt.set(room.id, performance.now());
        pipeline.publish(redisChannels.occupancy, JSON.stringify({ roomId: room.id, occupancy: { count: 1, capacity: room.capacity } }));
      }
      await pipeline.exec();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    const cpuCores = cpu.stop();
    return {
      ...options,
      changesPublished: published,
      deliveriesExpected: published * viewers.length,
      deliveriesReceived: latencies.length,
      latency: summarize(latencies),
      cpuCores,
    };
  } finally {
    for (const socket of viewers) socket.terminate();
  }
}
