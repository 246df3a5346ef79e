/**
 * Tabs of one browser tell each other which call they are in, over a BroadcastChannel, so a second
 * tab can ask "join here instead?" before taking the call over (signaling moves an account's seat
 * to its newest join). A reloaded or crashed tab answers nothing: its held seat is simply taken over.
 */
const CHANNEL_NAME = 'meshcall:calls';
/** Other tabs answer within a few milliseconds; a busy machine gets a little more. */
const ANSWER_WAIT_MS = 400;

type PresenceMessage = { type: 'who-is-in'; roomId: string } | { type: 'in-call'; roomId: string };

function isPresenceMessage(data: unknown): data is PresenceMessage {
  if (typeof data !== 'object' || data === null) return false;
  const { type, roomId } = data as { type?: unknown; roomId?: unknown };
  return (type === 'who-is-in' || type === 'in-call') && typeof roomId === 'string';
}

/** While this tab is in the room's call, it answers other tabs that ask. Returns the stop. */
export function answerAsInCall(roomId: string): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const channel = new BroadcastChannel(CHANNEL_NAME);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if (isPresenceMessage(event.data) && event.data.type === 'who-is-in' && event.data.roomId === roomId) channel.postMessage({ type: 'in-call', roomId } satisfies PresenceMessage);
  };
  return () => channel.close();
}

/** Whether another tab of this browser is in the room's call right now. */
export function inCallInAnotherTab(roomId: string, waitMs = ANSWER_WAIT_MS): Promise<boolean> {
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(false);
  const channel = new BroadcastChannel(CHANNEL_NAME);
  return new Promise<boolean>((resolve) => {
    const done = (answer: boolean) => {
      clearTimeout(timer);
      channel.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), waitMs);
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (isPresenceMessage(event.data) && event.data.type === 'in-call' && event.data.roomId === roomId) done(true);
    };
    channel.postMessage({ type: 'who-is-in', roomId } satisfies PresenceMessage);
  });
}
