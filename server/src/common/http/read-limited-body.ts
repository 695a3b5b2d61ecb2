import type { IncomingMessage } from 'node:http';

/**
 * The request body as bytes, refused with `tooLarge()` as soon as it passes `maxBytes`. The rest
 * drains unread, so the client still receives the answer instead of a reset connection.
 */
export const readLimitedBody = (req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.removeAllListeners('data');
      req.resume();
      reject(tooLarge());
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
