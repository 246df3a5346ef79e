import type { ChatMessage } from '@meshcall/shared';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/api-error.js';
import type { SendRequest } from './call-session.svelte.js';
import { ChatLog } from './chat.svelte.js';

const message = (id: string, peerId: string, text = 'hi'): ChatMessage => ({ id, peerId, userId: `user-${peerId}`, name: peerId, text, at: '2026-12-06T07:00:00.000Z' });

function chatLog(request: SendRequest = () => Promise.reject(new Error('unused'))): ChatLog {
  return new ChatLog(request, () => 'me');
}

describe('ChatLog', () => {
  it('counts live messages from others as unread while the panel is closed, and opening reads them', () => {
    const chat = chatLog();
    chat.add(message('1', 'bob'), { live: true });
    chat.add(message('2', 'me'), { live: true });
    chat.add(message('3', 'carol'), { live: false });
    expect(chat.unread).toBe(1);
    chat.setOpen(true);
    expect(chat.unread).toBe(0);
    chat.add(message('4', 'bob'), { live: true });
    expect(chat.unread).toBe(0);
    expect(chat.messages.map((m) => m.id)).toEqual(['1', '2', '3', '4']);
  });

  it('previews a new message from someone else while the panel is closed, for a few seconds', () => {
    vi.useFakeTimers();
    try {
      const chat = chatLog();
      chat.add(message('1', 'me'), { live: true });
      chat.add(message('2', 'bob', 'history'), { live: false });
      expect(chat.preview).toBeNull();
      chat.add(message('3', 'bob', 'are you there?'), { live: true });
      expect(chat.preview?.text).toBe('are you there?');
      vi.advanceTimersByTime(5_000);
      expect(chat.preview).toBeNull();
      chat.add(message('4', 'carol', 'hello'), { live: true });
      chat.setOpen(true);
      expect(chat.preview).toBeNull();
      chat.add(message('5', 'carol', 'again'), { live: true });
      expect(chat.preview).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps one copy of a message that arrives both live and in the history', () => {
    const chat = chatLog();
    chat.add(message('1', 'bob'), { live: true });
    chat.add(message('1', 'bob'), { live: false });
    expect(chat.messages).toHaveLength(1);
  });

  it('adds what the server acknowledged, and passes its refusal on', async () => {
    const sent: unknown[] = [];
    const request = (async (event: string, payload: unknown) => {
      sent.push([event, payload]);
      return message('7', 'me', 'hello');
    }) as unknown as SendRequest;
    const chat = chatLog(request);
    await chat.send('hello');
    expect(sent).toEqual([['chat:send', { text: 'hello' }]]);
    expect(chat.messages.map((m) => m.text)).toEqual(['hello']);

    const refusing = chatLog((() => Promise.reject(new ApiError('RATE_LIMITED', 'Slow down.'))) as unknown as SendRequest);
    await expect(refusing.send('again')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(refusing.messages).toEqual([]);
  });
});
