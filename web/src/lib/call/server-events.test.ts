import { describe, expect, it } from 'vitest';
import { parseChatMessage, parseGameState, parsePeerLeft, parsePeerMedia, parseReason, parseSignal } from './server-events.js';

describe('server event parsing', () => {
  it('accepts a relayed description or candidate', () => {
    expect(parseSignal({ from: 'peer0001', seq: 7, description: { type: 'offer', sdp: 'v=0' } })).toEqual({
      from: 'peer0001',
      seq: 7,
      signal: { description: { type: 'offer', sdp: 'v=0' } },
    });
    expect(parseSignal({ from: 'peer0001', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0' } })?.signal.candidate?.candidate).toMatch(/^candidate:/);
    expect(parseSignal({ from: 'peer0001', candidate: null })).toEqual({ from: 'peer0001', seq: undefined, signal: { candidate: null } });
  });

  it('drops signals without a valid sender or content', () => {
    expect(parseSignal({ from: 'x', description: { type: 'offer', sdp: '' } })).toBeNull();
    expect(parseSignal({ from: 'peer0001' })).toBeNull();
    expect(parseSignal({ from: 'peer0001', description: { type: 'hack', sdp: '' } })).toBeNull();
    expect(parseSignal('peer0001')).toBeNull();
    expect(parseSignal({ from: 'peer0001', seq: -1, candidate: null })).toBeNull();
  });

  it('checks media state, departures, chat and game payloads', () => {
    expect(parsePeerMedia({ peerId: 'peer0001', audio: false, video: true, screen: false })).toEqual({ peerId: 'peer0001', audio: false, video: true, screen: false });
    expect(parsePeerMedia({ peerId: 'peer0001', audio: 'off' })).toBeNull();
    expect(parsePeerLeft({ peerId: 'peer0001', reason: 'kicked' })?.reason).toBe('kicked');
    expect(parsePeerLeft({ peerId: 'peer0001', reason: 'exploded' })).toBeNull();
    expect(parseChatMessage({ id: '1', peerId: 'peer0001', userId: 'u', name: 'A', text: 'hi', at: '2025-01-01T00:00:00.000Z' })?.text).toBe('hi');
    expect(parseChatMessage({ id: '1', text: 'hi' })).toBeNull();
    expect(parseGameState({ board: Array(9).fill(null), turn: 'X', winner: null, players: { X: 'a', O: null } })?.turn).toBe('X');
    expect(parseGameState({ board: Array(8).fill(null), turn: 'X', winner: null, players: { X: null, O: null } })).toBeNull();
  });
});

describe('room:kicked', () => {
  it('reads the reason codes of the shared contract and nothing else', () => {
    for (const reason of ['kicked', 'uninvited', 'removed']) expect(parseReason({ reason })).toEqual({ reason });
    expect(parseReason({ reason: 'You were rude' })).toBeNull();
    expect(parseReason({})).toBeNull();
  });
});
