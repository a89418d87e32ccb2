import { createServer, type AddressInfo } from "node:net";

/**
 * A port of 127.0.0.1 the system has just reported free (it bound and released it). A random port
 * was not enough: one in the ephemeral range can be in use by an outgoing connection, and CI once
 * lost a node start to EADDRINUSE that way. A process started on the port can still lose it in the
 * moment before it binds; `startLocalNode` retries then.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
