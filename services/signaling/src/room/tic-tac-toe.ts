import { markOf, winningLine, type GameMark, type GameState } from '@meshcall/shared';

/** What a rule decided: a new state, no change, or the reason the change is refused. */
export type GameTransition<E> = { state: GameState } | { refused: E } | { unchanged: GameState };

/** Why a move is refused; each becomes ILLEGAL_MOVE with a message saying which rule. */
export type MoveRefusal = 'not-a-player' | 'waiting-for-opponent' | 'game-over' | 'not-your-turn' | 'cell-taken';

export const moveRefusalMessages: Record<MoveRefusal, string> = {
  'not-a-player': 'Only the two players may move.',
  'waiting-for-opponent': 'Wait for a second player.',
  'game-over': 'The game is over; start a new one.',
  'not-your-turn': 'It is not your turn.',
  'cell-taken': 'That cell is taken.',
};

export function newGame(players: GameState['players'] = { X: null, O: null }): GameState {
  return { board: Array<GameMark | null>(9).fill(null), turn: 'X', winner: null, players: { ...players } };
}

function winnerOf(board: ReadonlyArray<GameMark | null>): GameState['winner'] {
  const line = winningLine(board);
  if (line) return board[line[0]] ?? null;
  return board.every((cell) => cell !== null) ? 'draw' : null;
}

/** A user took a seat: the first becomes X, the second O, anyone after watches. */
export function assignPlayer(state: GameState, userId: string): GameTransition<never> {
  if (markOf(state, userId)) return { unchanged: state };
  if (state.players.X === null) return { state: newGame({ X: userId, O: state.players.O }) };
  if (state.players.O === null) return { state: newGame({ X: state.players.X, O: userId }) };
  return { unchanged: state };
}

/**
 * A player left for good: the game cannot go on, so the board is cleared, whoever stays plays
 * X (they are now the first seated player) and the next to join plays O.
 */
export function releasePlayer(state: GameState, userId: string): GameTransition<never> {
  if (!markOf(state, userId)) return { unchanged: state };
  const remaining = state.players.X === userId ? state.players.O : state.players.X;
  return { state: newGame({ X: remaining, O: null }) };
}

export function applyMove(state: GameState, userId: string, cell: number): GameTransition<MoveRefusal> {
  const mark = markOf(state, userId);
  if (!mark) return { refused: 'not-a-player' };
  if (state.players.X === null || state.players.O === null) return { refused: 'waiting-for-opponent' };
  if (state.winner !== null) return { refused: 'game-over' };
  if (state.turn !== mark) return { refused: 'not-your-turn' };
  if (state.board[cell] !== null) return { refused: 'cell-taken' };
  const board = [...state.board];
  board[cell] = mark;
  return { state: { board, turn: mark === 'X' ? 'O' : 'X', winner: winnerOf(board), players: { ...state.players } } };
}

const other = (mark: GameMark): GameMark => (mark === 'X' ? 'O' : 'X');

/**
 * Who made the first move of this game, read from the board: the first mover has as many marks as
 * the other or one more; with as many, it is the first mover's turn again, unless the game was
 * just won (then the winner moved last, and so moved second).
 */
function firstMover(state: GameState): GameMark {
  const count = (mark: GameMark) => state.board.filter((cell) => cell === mark).length;
  const [x, o] = [count('X'), count('O')];
  if (x !== o) return x > o ? 'X' : 'O';
  if (state.winner === 'X' || state.winner === 'O') return other(state.winner);
  return state.turn;
}

/**
 * Who opens the next game: the loser of a won game; after a draw, the one who did not open this
 * one; a game abandoned half way is started over by the same player.
 */
export function nextFirstMover(state: GameState): GameMark {
  if (state.winner === 'X' || state.winner === 'O') return other(state.winner);
  if (state.winner === 'draw') return other(firstMover(state));
  return firstMover(state);
}

/** A new game with the same players; a player or the room owner may start it. */
export function resetGame(state: GameState, userId: string, isOwner: boolean): GameTransition<'not-allowed'> {
  if (!markOf(state, userId) && !isOwner) return { refused: 'not-allowed' };
  return { state: { ...newGame(state.players), turn: nextFirstMover(state) } };
}
