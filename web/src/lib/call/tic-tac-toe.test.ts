import { describe, expect, it } from 'vitest';
import type { GameState } from '@meshcall/shared';
import { cellLabel, describeGame, markOf, winningLine } from './tic-tac-toe.js';

const alice = 'a'.repeat(24);
const bob = 'b'.repeat(24);
const names: Record<string, string> = { [alice]: 'Alice', [bob]: 'Bob' };
const nameOf = (id: string | null) => (id ? names[id] ?? 'Someone' : 'Nobody');

function state(board: string, overrides: Partial<GameState> = {}): GameState {
  return {
    board: [...board].map((c) => (c === 'X' || c === 'O' ? c : null)),
    turn: 'X',
    winner: null,
    players: { X: alice, O: bob },
    ...overrides,
  };
}

describe('winningLine', () => {
  it('finds rows, columns and diagonals', () => {
    expect(winningLine(state('XXX.OO...').board)).toEqual([0, 1, 2]);
    expect(winningLine(state('O..O..O..').board)).toEqual([0, 3, 6]);
    expect(winningLine(state('X...X...X').board)).toEqual([0, 4, 8]);
    expect(winningLine(state('XOX......').board)).toBeNull();
  });
});

describe('markOf', () => {
  it('knows players and spectators', () => {
    expect(markOf(state('.........'), alice)).toBe('X');
    expect(markOf(state('.........'), bob)).toBe('O');
    expect(markOf(state('.........'), 'c'.repeat(24))).toBeNull();
  });
});

describe('describeGame', () => {
  it('says whose turn it is from each side', () => {
    const s = state('X........', { turn: 'O' });
    expect(describeGame(s, bob, nameOf)).toBe('Your turn: you play O.');
    expect(describeGame(s, alice, nameOf)).toBe('Bob’s turn (O).');
  });

  it('announces the winner to both players', () => {
    const s = state('XXXOO....', { winner: 'X', turn: 'O' });
    expect(describeGame(s, alice, nameOf)).toBe('You won!');
    expect(describeGame(s, bob, nameOf)).toBe('Alice won.');
  });

  it('announces a draw and waits for an opponent', () => {
    expect(describeGame(state('XOXXOOOXX', { winner: 'draw' }), alice, nameOf)).toMatch(/Draw/);
    expect(describeGame(state('.........', { players: { X: alice, O: null } }), alice, nameOf)).toMatch(/Waiting for an opponent/);
  });
});

describe('cellLabel', () => {
  it('names the cell by row and column for screen readers', () => {
    expect(cellLabel(0, null)).toBe('Row 1, column 1: empty');
    expect(cellLabel(5, 'O')).toBe('Row 2, column 3: O');
  });
});
