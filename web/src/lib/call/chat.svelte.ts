import { CHAT_HISTORY_LIMIT, type ChatMessage } from '@meshcall/shared';
import type { SendRequest } from './call-session.svelte.js';
import { parseChatMessage } from './server-events.js';

/** How long the preview of a new message stays while the chat panel is closed. */
const PREVIEW_LIFETIME_MS = 5_000;

/** The room's chat: the messages (history included), whether the panel is open, and what is unread. */
export class ChatLog {
  messages = $state<ChatMessage[]>([]);
  open = $state(false);
  unread = $state(0);
  /** The newest unread message, shown briefly while the panel is closed. */
  preview = $state<ChatMessage | null>(null);
  #previewTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #request: SendRequest;
  readonly #selfPeerId: () => string | null;

  constructor(request: SendRequest, selfPeerId: () => string | null) {
    this.#request = request;
    this.#selfPeerId = selfPeerId;
  }

  setOpen(open: boolean): void {
    this.open = open;
    if (open) {
      this.unread = 0;
      this.dismissPreview();
    }
  }

  dismissPreview(): void {
    if (this.#previewTimer) clearTimeout(this.#previewTimer);
    this.#previewTimer = null;
    this.preview = null;
  }

  /** Sends a message; throws an ApiError the chat form shows inline. */
  async send(text: string): Promise<void> {
    const message = parseChatMessage(await this.#request('chat:send', { text }));
    if (message) this.add(message, { live: false });
  }

  /**
   * Adds a message once (history and live delivery can overlap after a resume). Only a live
   * message from someone else, while the panel is closed, counts as unread.
   */
  add(message: ChatMessage, { live }: { live: boolean }): void {
    if (this.messages.some((m) => m.id === message.id)) return;
    this.messages = [...this.messages, message].slice(-CHAT_HISTORY_LIMIT);
    if (live && message.peerId !== this.#selfPeerId() && !this.open) {
      this.unread += 1;
      this.#showPreview(message);
    }
  }

  #showPreview(message: ChatMessage): void {
    this.dismissPreview();
    this.preview = message;
    this.#previewTimer = setTimeout(() => this.dismissPreview(), PREVIEW_LIFETIME_MS);
  }
}
