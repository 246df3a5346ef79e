import { describe, expect, it } from 'vitest';
import type { GameState } from '@meshcall/shared';
import { applyMove, assignPlayer, newGame, releasePlayer, resetGame, type GameTransition } from './tic-tac-toe.js';

function stateOf(transition: GameTransition<string>): GameState {
  if ('state' in transition) return transition.state;
  if ('unchanged' in transition) return transition.unchanged;
  throw new Error(`refused: ${transition.refused}`);
}

function play(moves: number[]): GameState {
  let state = newGame({ X: 'x', O: 'o' });
  moves.forEach((cell, i) => {
    state = stateOf(applyMove(state, i % 2 === 0 ? 'x' : 'o', cell));
  });
  return state;
}

describe('tic-tac-toe rules', () => {
  it('makes the first seated player X and the second O; later ones only watch', () => {
    const one = stateOf(assignPlayer(newGame(), 'a'));
    const two = stateOf(assignPlayer(one, 'b'));
    expect(two.players).toEqual({ X: 'a', O: 'b' });
    expect(assignPlayer(two, 'c')).toEqual({ unchanged: two });
    expect(assignPlayer(two, 'a')).toEqual({ unchanged: two });
  });

  it('refuses moves before an opponent is there, by non-players, out of turn, and on taken cells', () => {
    expect(applyMove(newGame({ X: 'x', O: null }), 'x', 0)).toEqual({ refused: 'waiting-for-opponent' });
    const game = newGame({ X: 'x', O: 'o' });
    expect(applyMove(game, 'someone', 0)).toEqual({ refused: 'not-a-player' });
    expect(applyMove(game, 'o', 0)).toEqual({ refused: 'not-your-turn' });
    const afterX = stateOf(applyMove(game, 'x', 4));
    expect(applyMove(afterX, 'o', 4)).toEqual({ refused: 'cell-taken' });
    expect(afterX.turn).toBe('O');
  });

  it('detects rows, columns and diagonals, and refuses moves after a win', () => {
    expect(play([0, 3, 1, 4, 2]).winner).toBe('X');
    expect(play([0, 1, 3, 2, 6]).winner).toBe('X');
    expect(play([1, 0, 2, 4, 3, 8]).winner).toBe('O');
    expect(play([2, 0, 4, 1, 6]).winner).toBe('X');
    expect(applyMove(play([0, 3, 1, 4, 2]), 'o', 8)).toEqual({ refused: 'game-over' });
  });

  it('calls a full board without a line a draw', () => {
    // X O X / X O O / O X X
    const state = play([0, 1, 2, 4, 3, 5, 7, 6, 8]);
    expect(state.winner).toBe('draw');
    expect(state.board.every((cell) => cell !== null)).toBe(true);
  });

  it('lets a player or the owner start over with the same players, the loser opening', () => {
    const finished = play([0, 3, 1, 4, 2]);
    // X won, so O, the loser, opens the next game.
    const next = { ...newGame({ X: 'x', O: 'o' }), turn: 'O' };
    expect(resetGame(finished, 'o', false)).toEqual({ state: next });
    expect(resetGame(finished, 'owner', true)).toEqual({ state: next });
    expect(resetGame(finished, 'watcher', false)).toEqual({ refused: 'not-allowed' });
  });

  it('lets the loser open the next game also when O won, and alternates after a draw', () => {
    // X opens; O wins on the middle column.
    const oWon = play([0, 1, 2, 4, 3, 7]);
    expect(oWon.winner).toBe('O');
    expect(stateOf(resetGame(oWon, 'x', false)).turn).toBe('X');
    // O opens this one (after losing) and wins the first column: X, the loser, opens the next.
    let oOpened: GameState = { ...newGame({ X: 'x', O: 'o' }), turn: 'O' };
    for (const [who, cell] of [['o', 0], ['x', 1], ['o', 3], ['x', 2], ['o', 6]] as const) oOpened = stateOf(applyMove(oOpened, who, cell));
    expect(oOpened.winner).toBe('O');
    expect(stateOf(resetGame(oOpened, 'o', false)).turn).toBe('X');
    // A draw that X opened: O opens the next.
    const draw = play([0, 1, 2, 4, 3, 5, 7, 6, 8]);
    expect(stateOf(resetGame(draw, 'x', false)).turn).toBe('O');
  });

  it('keeps the same opener when a game is started over half way', () => {
    expect(stateOf(resetGame(play([0, 4]), 'x', false)).turn).toBe('X');
    let oOpened: GameState = { ...newGame({ X: 'x', O: 'o' }), turn: 'O' };
    oOpened = stateOf(applyMove(oOpened, 'o', 4));
    expect(stateOf(resetGame(oOpened, 'x', false)).turn).toBe('O');
  });

  it('clears the board when a player leaves; the one who stays becomes X', () => {
    const midGame = play([0, 4]);
    expect(releasePlayer(midGame, 'x')).toEqual({ state: newGame({ X: 'o', O: null }) });
    expect(releasePlayer(midGame, 'o')).toEqual({ state: newGame({ X: 'x', O: null }) });
    expect(releasePlayer(midGame, 'watcher')).toEqual({ unchanged: midGame });
  });
});
