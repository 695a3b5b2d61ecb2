import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  url: string;
  /** Each delivery's JSON body, in arrival order. */
  events: Array<{ event: string; data: Record<string, unknown> }>;
  close: () => Promise<void>;
}

/** A loopback receiver for webhook deliveries (payloads only; signatures are the webhooks' own tests). */
export const startWebhookReceiver = async (): Promise<WebhookReceiver> => {
  const events: WebhookReceiver['events'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    events,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
