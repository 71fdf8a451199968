import { createConnection } from "node:net";
import { WebSocketServer } from "ws";

/**
 * A WebSocket-to-TCP relay on loopback, the same job Neon's proxy does in front of Postgres,
 * so the Neon serverless driver can be tested against a plain PostgreSQL server.
 * The driver asks for ws://<relay>/v1?address=<host>:<port>.
 */
export async function startNeonRelay(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket, request) => {
    const address = new URL(request.url ?? "/", "http://relay").searchParams.get("address") ?? "";
    const [host, port] = address.split(":");
    const tcp = createConnection({ host, port: Number(port) });
    const pending: Buffer[] = [];
    tcp.on("connect", () => {
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    socket.on("message", (data: Buffer) => {
      if (tcp.connecting) pending.push(data);
      else tcp.write(data);
    });
    tcp.on("data", (chunk) => socket.send(chunk));
    tcp.on("close", () => socket.close());
    tcp.on("error", () => socket.terminate());
    socket.on("close", () => tcp.end());
    socket.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve) => server.on("listening", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
