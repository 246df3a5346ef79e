import { LinkifyIt } from 'linkify-it';

/** A piece of a chat message: plain text, or an http(s) link to show as one. */
export type ChatSegment = { text: string; href?: undefined } | { text: string; href: string };

// Only links written out with http:// or https:// become links: no bare domains, e-mail
// addresses, mailto:, ftp: or protocol-relative ones. Everything else stays text.
const linkify = new LinkifyIt({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false }).add('mailto:', null).add('ftp:', null).add('//', null);

function isWebLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Splits a message into text and links, in order; nothing in it becomes markup but the links. */
export function chatSegments(text: string): ChatSegment[] {
  const segments: ChatSegment[] = [];
  let at = 0;
  for (const match of linkify.match(text) ?? []) {
    if (!isWebLink(match.url)) continue;
    if (match.index > at) segments.push({ text: text.slice(at, match.index) });
    segments.push({ text: match.raw, href: match.url });
    at = match.lastIndex;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return segments;
}
