import type { GameState } from '@meshcall/shared';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { SendRequest } from './call-session.svelte.js';
import { GameTable } from './game.svelte.js';

const empty: GameState = { board: Array(9).fill(null), turn: 'X', winner: null, players: { X: 'alice', O: 'bob' } };

describe('GameTable', () => {
  it('shows the state the server answers a move with', async () => {
    const asked: unknown[] = [];
    const request = (async (event: string, payload: unknown) => {
      asked.push([event, payload]);
      return { ...empty, board: ['X', ...Array(8).fill(null)], turn: 'O' };
    }) as unknown as SendRequest;
    const game = new GameTable(request);
    game.show(empty);
    await game.play(0);
    expect(asked).toEqual([['game:move', { cell: 0 }]]);
    expect(game.state?.board[0]).toBe('X');
    expect(game.state?.turn).toBe('O');
  });

  it('says in a sentence why the server refused a move, and a new state clears it', async () => {
    const game = new GameTable((() => Promise.reject(new ApiError('ILLEGAL_MOVE', 'not your turn'))) as unknown as SendRequest);
    game.show(empty);
    await game.play(4);
    expect(game.error).toMatch(/not your turn/);
    expect(game.state).toEqual(empty);
    game.show({ ...empty, turn: 'O' });
    expect(game.error).toBeNull();
  });
});
