import type { GameMark, GameState } from './signaling-events.js';

/** Rows, columns and diagonals of the 3×3 board, cells numbered 0-8 row by row. */
const LINES: ReadonlyArray<readonly [number, number, number]> = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
  [0, 3, 6],
  [1, 4, 7],
  [2, 5, 8],
  [0, 4, 8],
  [2, 4, 6],
];

/**
 * The three cells that make a line of one mark, or null. Shared so the server (which decides the
 * winner) and the web (which highlights it) can never disagree about what wins.
 */
export function winningLine(board: ReadonlyArray<GameMark | null>): readonly [number, number, number] | null {
  for (const line of LINES) {
    const [a, b, c] = line;
    const mark = board[a];
    if (mark && board[b] === mark && board[c] === mark) return line;
  }
  return null;
}

/** The mark a user plays, or null for a spectator. */
export function markOf(state: GameState, userId: string): GameMark | null {
  if (state.players.X === userId) return 'X';
  if (state.players.O === userId) return 'O';
  return null;
}
