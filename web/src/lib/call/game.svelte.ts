import type { GameState } from '@meshcall/shared';
import { toApiError } from '../api/api-error.js';
import { messageFor } from '../api/error-messages.js';
import type { SendRequest } from './call-session.svelte.js';
import { parseGameState } from './server-events.js';

/** Tic-tac-toe of a game room: the server decides, this keeps its latest state and says why a move was refused. */
export class GameTable {
  state = $state<GameState | null>(null);
  error = $state<string | null>(null);
  readonly #request: SendRequest;

  constructor(request: SendRequest) {
    this.#request = request;
  }

  /** A state from the server (`game:state` or the join result). */
  show(state: GameState | null): void {
    this.state = state;
    this.error = null;
  }

  play(cell: number): Promise<void> {
    return this.#ask(() => this.#request('game:move', { cell }));
  }

  reset(): Promise<void> {
    return this.#ask(() => this.#request('game:reset', {}));
  }

  async #ask(request: () => Promise<unknown>): Promise<void> {
    this.error = null;
    try {
      const state = parseGameState(await request());
      if (state) this.state = state;
    } catch (error) {
      this.error = messageFor(toApiError(error).code, 'game');
    }
  }
}
