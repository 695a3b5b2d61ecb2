// A stand-in for the Signalbox config endpoint (polling), so the provider-status scenarios run
// the provider's real paths: a refused key (FATAL), and a connection that drops (STALE).
import { createServer } from 'node:http';

export class FakeSignalbox {
  /** @param {object} config what `GET /api/v1/sdk/config` serves */
  constructor(config) {
    this.config = config;
    /** 'serve' | 'refuse' | 'fail' */
    this.mode = 'serve';
    this.server = createServer((req, res) => {
      if (!req.url?.endsWith('/api/v1/sdk/config')) return void res.writeHead(404).end();
      if (this.mode === 'refuse')
        return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'UNAUTHENTICATED', message: 'unknown SDK key' }));
      if (this.mode === 'fail') return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json', etag: `"${this.config.sequence}"` }).end(JSON.stringify(this.config));
    });
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
