import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';

/**
 * ─── BASELINE FOR COMPARISON ONLY: NOT MESHCALL CODE, NEVER DEPLOYED ───
 *
 * A signaling relay the way most WebRTC tutorials ship one, so meshcall's figures can be read
 * against it: one Socket.IO process, rooms in that process's memory, no authentication, no
 * payload validation, no rate limit, no capacity, and every signal broadcast to everyone else in
 * the room the client names (which is also why it offers no isolation between rooms). It cannot
 * run as two replicas without a shared adapter, so it has no cross-replica figure.
 */
export function attachNaiveRelay(httpServer: HttpServer): Server {
  // Tutorials take Socket.IO's defaults (ping every 25 s, 1 MB frames, polling allowed).
  const io = new Server(httpServer, { cors: { origin: '*' } });
  io.on('connection', (socket) => {
    socket.on('join', (roomId: string, ack?: () => void) => {
      void socket.join(roomId);
      socket.to(roomId).emit('peer-joined', { id: socket.id });
      ack?.();
    });
    socket.on('signal', (data: { room: string } & Record<string, unknown>) => {
      socket.to(data.room).emit('signal', { ...data, from: socket.id });
    });
    socket.on('disconnecting', () => {
      for (const room of socket.rooms) if (room !== socket.id) socket.to(room).emit('peer-left', { id: socket.id });
    });
  });
  return io;
}
