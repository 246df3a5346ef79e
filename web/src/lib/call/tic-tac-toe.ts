import { markOf } from '@meshcall/shared';
import type { GameMark, GameState } from '@meshcall/shared';

export { markOf, winningLine } from '@meshcall/shared';

/**
 * One line telling this user where the game stands. The server decides what is legal; this only
 * words its state, so a stale or tampered client never judges a move itself.
 */
export function describeGame(state: GameState, userId: string, nameOf: (userId: string | null) => string): string {
  const mine = markOf(state, userId);
  if (state.winner === 'draw') return 'Draw! Nobody got three in a row.';
  if (state.winner) {
    if (mine === state.winner) return 'You won!';
    const winnerName = nameOf(state.players[state.winner]);
    return mine ? `${winnerName} won.` : `${winnerName} (${state.winner}) won.`;
  }
  if (!state.players.X || !state.players.O) return mine ? `You play ${mine}. Waiting for an opponent…` : 'Waiting for players…';
  if (!mine) return `${nameOf(state.players[state.turn])} (${state.turn}) to move.`;
  return state.turn === mine ? `Your turn: you play ${mine}.` : `${nameOf(state.players[state.turn])}’s turn (${state.turn}).`;
}

/** Accessible name of one cell button, e.g. "Row 1, column 3: X". */
export function cellLabel(index: number, mark: GameMark | null): string {
  const row = Math.floor(index / 3) + 1;
  const column = (index % 3) + 1;
  return `Row ${row}, column ${column}: ${mark ?? 'empty'}`;
}
