// Free TCP ports on 127.0.0.1, chosen once so a restarted process comes back on the same port.
import net from 'node:net';

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** `count` distinct free ports. */
export const freePorts = async (count) => {
  const ports = new Set();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
};
