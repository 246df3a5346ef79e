import { describe, expect, it } from 'vitest';
import { chatSegments } from './chat-links.js';

describe('chatSegments', () => {
  it('turns http and https links into links and keeps the text around them', () => {
    expect(chatSegments('See https://example.org/a?b=1, then http://test.example:8080/x.')).toEqual([
      { text: 'See ' },
      { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { text: ', then ' },
      { text: 'http://test.example:8080/x', href: 'http://test.example:8080/x' },
      { text: '.' },
    ]);
  });

  it('leaves everything else as text: bare domains, e-mail, other schemes, markup', () => {
    for (const text of ['example.org', 'mail me: a@example.org', 'mailto:a@example.org', 'ftp://example.org/file', 'javascript:alert(1)', '<b>bold</b> <a href="https://x.example">x</a>', '//example.org/x']) {
      const segments = chatSegments(text);
      expect(segments.filter((segment) => segment.href !== undefined && !segment.href.startsWith('https://x.example'))).toEqual([]);
      expect(segments.map((segment) => segment.text).join('')).toBe(text);
    }
  });

  it('keeps an empty message empty', () => {
    expect(chatSegments('')).toEqual([]);
  });
});
