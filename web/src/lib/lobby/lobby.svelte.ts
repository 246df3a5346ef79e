import type { CreateRoomBody, LobbyEvent, Room, RoomKind } from '@meshcall/shared';
import { toApiError } from '../api/api-error.js';
import { messageFor } from '../api/error-messages.js';
import { roomsClient, session } from '../auth/session.svelte.js';
import { applyToOwnList, applyToPublicList, inLobbyOrder, type LobbySort } from './lobby-events.js';
import { LobbyFeed, lobbyFeedUrl, type LobbyFeedStatus } from './lobby-feed.js';

const SEARCH_DEBOUNCE_MS = 250;
const PAGE_SIZE = 24;

/** The lobby's state: the public list with search and kind filter, the user's rooms, and the live feed. */
export class LobbyManager {
  rooms = $state<Room[]>([]);
  total = $state(0);
  /** The server stopped counting: there are at least `total` matching rooms. */
  totalIsLowerBound = $state(false);
  /** Where the next page starts; null when every matching room is listed. */
  nextCursor = $state<string | null>(null);
  loadingMore = $state(false);
  mine = $state<Room[]>([]);
  query = $state('');
  kind = $state<RoomKind | ''>('');
  /** Busy rooms first by default: where people are is what a visitor looks for. */
  sort = $state<LobbySort>('occupancy');
  loading = $state(true);
  error = $state<string | null>(null);
  feedStatus = $state<LobbyFeedStatus>('connecting');

  #feed: LobbyFeed | null = null;
  #stopTokenUpdates: (() => void) | null = null;
  #searchTimer: ReturnType<typeof setTimeout> | null = null;
  /** Answers to older searches that arrive late must not overwrite newer ones. */
  #listRequest = 0;

  start(): void {
    void this.refresh();
    this.#feed = new LobbyFeed({
      url: lobbyFeedUrl(window.location),
      token: () => session.freshToken(),
      onEvent: (event) => this.#apply(event),
      onStatus: (status) => (this.feedStatus = status),
      onResync: () => void this.refresh(),
    });
    this.#feed.start();
    this.#stopTokenUpdates = session.onToken((token) => this.#feed?.renewToken(token));
  }

  stop(): void {
    this.#feed?.stop();
    this.#feed = null;
    this.#stopTokenUpdates?.();
    this.#stopTokenUpdates = null;
    if (this.#searchTimer) clearTimeout(this.#searchTimer);
  }

  retryFeed(): void {
    this.#feed?.retry();
  }

  setQuery(query: string): void {
    this.query = query;
    if (this.#searchTimer) clearTimeout(this.#searchTimer);
    this.#searchTimer = setTimeout(() => void this.#loadPublic(), SEARCH_DEBOUNCE_MS);
  }

  setKind(kind: RoomKind | ''): void {
    this.kind = kind;
    void this.#loadPublic();
  }

  setSort(sort: LobbySort): void {
    this.sort = sort;
    void this.#loadPublic();
  }

  async refresh(): Promise<void> {
    await Promise.all([this.#loadPublic(), this.#loadMine()]);
  }

  async createRoom(body: CreateRoomBody): Promise<Room> {
    const room = await roomsClient.create(body);
    this.mine = [room, ...this.mine.filter((r) => r.id !== room.id)];
    return room;
  }

  /** Accept an invitation: the room stays in "My rooms", now as one the user may join. */
  async acceptInvitation(id: string): Promise<void> {
    const room = await roomsClient.acceptInvitation(id);
    this.mine = this.mine.map((r) => (r.id === id ? room : r));
  }

  /** Decline an invitation: the room leaves "My rooms". */
  async declineInvitation(id: string): Promise<void> {
    await roomsClient.declineInvitation(id);
    this.mine = this.mine.filter((r) => r.id !== id);
  }

  async closeRoom(id: string): Promise<void> {
    await roomsClient.close(id);
    this.mine = this.mine.filter((r) => r.id !== id);
    this.rooms = this.rooms.filter((r) => r.id !== id);
  }

  get #filter() {
    return { q: this.query, ...(this.kind ? { kind: this.kind } : {}) };
  }

  /**
   * The next page of the current search, appended (infinite scroll asks for it when the end of
   * the list comes into view). Rooms already shown are skipped: live events may have put them in.
   */
  async loadMore(): Promise<void> {
    const cursor = this.nextCursor;
    if (!cursor || this.loading || this.loadingMore) return;
    const request = this.#listRequest;
    this.loadingMore = true;
    try {
      const page = await roomsClient.list({ ...this.#listQuery(), cursor });
      if (request !== this.#listRequest) return;
      const shown = new Set(this.rooms.map((room) => room.id));
      this.rooms = [...this.rooms, ...page.items.filter((room) => !shown.has(room.id))];
      this.nextCursor = page.nextCursor;
      this.error = null;
    } catch (error) {
      if (request === this.#listRequest) this.error = messageFor(toApiError(error).code, 'lobby');
    } finally {
      if (request === this.#listRequest) this.loadingMore = false;
    }
  }

  #listQuery() {
    const q = this.query.trim();
    return { ...(q ? { q } : {}), ...(this.kind ? { kind: this.kind } : {}), sort: this.sort, pageSize: PAGE_SIZE };
  }

  async #loadPublic(): Promise<void> {
    const request = ++this.#listRequest;
    this.loading = true;
    this.loadingMore = false;
    try {
      const page = await roomsClient.list(this.#listQuery());
      if (request !== this.#listRequest) return;
      this.rooms = page.items;
      this.total = page.total;
      this.totalIsLowerBound = page.totalIsLowerBound;
      this.nextCursor = page.nextCursor;
      this.error = null;
    } catch (error) {
      if (request === this.#listRequest) this.error = messageFor(toApiError(error).code, 'lobby');
    } finally {
      if (request === this.#listRequest) this.loading = false;
    }
  }

  async #loadMine(): Promise<void> {
    try {
      this.mine = (await roomsClient.mine()).items;
    } catch (error) {
      this.error = messageFor(toApiError(error).code, 'lobby');
    }
  }

  #apply(event: LobbyEvent): void {
    const before = this.rooms.length;
    this.rooms = inLobbyOrder(applyToPublicList(this.rooms, event, this.#filter), this.sort);
    this.total = Math.max(0, this.total + (this.rooms.length - before));
    const userId = session.user?.id;
    if (userId) this.mine = applyToOwnList(this.mine, event, userId);
  }
}
