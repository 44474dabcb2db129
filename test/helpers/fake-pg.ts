import { createServer, Server, Socket } from 'node:net';

/**
 * A TCP server speaking just enough of the PostgreSQL protocol to fail a login the way a real
 * server can: `auth` asks for the password in clear text, then rejects it with 28P01 and a
 * message that QUOTES the password it received (so the test proves the driver's own messages
 * are masked too); `hangup` closes the connection as soon as the startup message arrives;
 * `silent` accepts the connection and never answers.
 */

export interface FakeServer {
  port: number;
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function errorResponse(code: string, text: string): Buffer {
  const field = (t: string, v: string) => Buffer.concat([Buffer.from(t), Buffer.from(v, 'utf8'), Buffer.from([0])]);
  return message(
    'E',
    Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', text), Buffer.from([0])]),
  );
}

function serve(socket: Socket, mode: 'auth' | 'hangup' | 'silent'): void {
  let buf = Buffer.alloc(0);
  let started = false;
  socket.on('error', () => undefined);
  if (mode === 'silent') return;
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (!started) {
      if (buf.length < 8 || buf.length < buf.readInt32BE(0)) return;
      const len = buf.readInt32BE(0);
      const code = buf.readInt32BE(4);
      buf = buf.subarray(len);
      if (code === 80877103) {
        socket.write('N'); // SSLRequest: no SSL, the client goes on in clear
        return;
      }
      started = true;
      if (mode === 'hangup') {
        socket.destroy();
        return;
      }
      socket.write(message('R', Buffer.from([0, 0, 0, 3]))); // AuthenticationCleartextPassword
      return;
    }
    if (buf.length < 5 || buf.length < 1 + buf.readInt32BE(1)) return;
    const password = buf.subarray(5, 1 + buf.readInt32BE(1) - 1).toString('utf8');
    socket.end(errorResponse('28P01', `password authentication failed: "${password}" is not the password`));
  });
}

export async function startFakeServer(mode: 'auth' | 'hangup' | 'silent'): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    serve(s, mode);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}
