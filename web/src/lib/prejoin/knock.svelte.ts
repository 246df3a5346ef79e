import type { KnockOutcome } from '@meshcall/shared';
import type { RoomsApi } from '@meshcall/client';
import { toApiError } from '../api/api-error.js';
import { messageFor } from '../api/error-messages.js';
import { createSignalingSocket, emitRequest, type SignalingSocket } from '../call/signaling-client.js';
import { parseKnockResult } from '../call/server-events.js';

/** Where asking to join a locked room stands: `admitted` means join now (rooms lets us past the lock once). */
export type KnockPhase = 'idle' | 'asking' | 'waiting' | KnockOutcome | 'failed';

export interface KnockDeps {
  rooms: Pick<RoomsApi, 'join'>;
  /** A valid access token for the socket's handshake. */
  token: () => Promise<string>;
}

const phaseMessages: Partial<Record<KnockPhase, string>> = {
  waiting: 'Asking the host to let you in…',
  declined: 'The host declined.',
  timeout: 'Nobody answered your request. You can ask again.',
};

/**
 * "Ask to join" on a locked room's pre-join: a ticket to knock with from rooms, then
 * `room:knock` on a socket of its own, which waits for the host's answer. Once admitted, the
 * pre-join joins as usual (the call opens its own connection).
 */
export class KnockRequest {
  phase = $state<KnockPhase>('idle');
  #problem = $state<string | null>(null);
  #socket: SignalingSocket | null = null;
  readonly #deps: KnockDeps;

  constructor(deps: KnockDeps) {
    this.#deps = deps;
  }

  /** What to tell the person, if anything. */
  get message(): string | null {
    return this.phase === 'failed' ? this.#problem : (phaseMessages[this.phase] ?? null);
  }

  get pending(): boolean {
    return this.phase === 'asking' || this.phase === 'waiting';
  }

  async ask(roomId: string, invite: string | undefined): Promise<void> {
    if (this.pending) return;
    this.phase = 'asking';
    try {
      const { ticket } = await this.#deps.rooms.join(roomId, invite, { knock: true });
      const socket = createSignalingSocket(this.#deps.token, roomId);
      this.#socket = socket;
      socket.on('room:knock-result', (payload) => {
        const result = parseKnockResult(payload);
        if (!result || this.#socket !== socket) return;
        this.#close();
        this.phase = result.outcome;
      });
      socket.connect();
      await emitRequest(socket, 'room:knock', { ticket });
      if (this.phase === 'asking') this.phase = 'waiting';
    } catch (error) {
      this.#close();
      this.#problem = messageFor(toApiError(error).code, 'join');
      this.phase = 'failed';
    }
  }

  /** Takes the request back; the host's notice goes. */
  async cancel(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    try {
      await emitRequest(socket, 'room:knock-cancel', {});
    } catch {
      // Closing the socket withdraws the knock too.
    }
    this.#close();
    this.phase = 'idle';
  }

  destroy(): void {
    this.#close();
  }

  #close(): void {
    this.#socket?.close();
    this.#socket = null;
  }
}
