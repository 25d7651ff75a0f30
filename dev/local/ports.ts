import { createServer } from 'node:net';
import { isLocalClusterError, LOCAL_ERROR_CODES, LocalClusterError } from './errors.js';

export const LOOPBACK = '127.0.0.1';

/**
 * A port the kernel considers free on 127.0.0.1 right now. Another process may take it before our
 * child binds it; the component then fails fast and startControlPlane reports its log.
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined)
    throw new LocalClusterError(LOCAL_ERROR_CODES.PORT_UNAVAILABLE, 'no port assigned');
  return port;
}

/** Several distinct free ports: all are held open together, so none is handed out twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.on('error', (err) => {
              reject(
                new LocalClusterError(LOCAL_ERROR_CODES.PORT_UNAVAILABLE, 'no free loopback port', {
                  cause: err,
                }),
              );
            });
            server.listen(0, LOOPBACK, () => {
              const address = server.address();
              if (typeof address === 'object' && address !== null) resolve(address.port);
              else
                reject(
                  new LocalClusterError(LOCAL_ERROR_CODES.PORT_UNAVAILABLE, 'no port assigned'),
                );
            });
          }),
      ),
    );
  } finally {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.listening)
              s.close(() => {
                resolve();
              });
            else resolve();
          }),
      ),
    );
  }
}

const PORT_TAKEN = /address already in use/i;

/**
 * Runs `start(attempt)` again when the component died because another process took its port
 * between our probe and its bind (parallel test workers make that possible, not likely).
 */
export async function retryOnPortClash<T>(
  start: (attempt: number) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(attempt);
    } catch (err) {
      const clash =
        isLocalClusterError(err, LOCAL_ERROR_CODES.PROCESS_EXITED) && PORT_TAKEN.test(err.message);
      if (!clash || attempt >= attempts) throw err;
    }
  }
}
