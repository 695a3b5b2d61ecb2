import 'reflect-metadata';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module.js';
import { consoleFiles } from './console-assets.js';
import { HttpExceptionFilter } from './common/errors/http-exception.filter.js';
import { refuseDeepJson } from './common/http/json-depth.js';
import { requestIdMiddleware } from './common/http/request-id.middleware.js';
import { createRootLogger, PinoNestLogger } from './common/logging/logger.js';
import { Draining } from './health/draining.js';
import { answerClientErrors, responseCompression, securityHeaders } from './http-hardening.js';
import { createValidationPipe } from './common/validation/validation-pipe.js';
import type { AppConfig } from './config/config.js';
import { documentSdkReadPaths } from './sdk-api/sdk-api.openapi.js';
import { SdkReadHandler } from './sdk-api/sdk-read.handler.js';
import { OfrepHandler } from './ofrep/ofrep.handler.js';
import { documentOfrepPaths } from './ofrep/ofrep.openapi.js';

const NON_API_ROUTES = ['healthz', 'readyz', 'metrics'];

/** Builds the whole server (API, docs, console) without listening, so tests and main share it. */
export const createApp = async (config: AppConfig): Promise<NestExpressApplication> => {
  const logger = new PinoNestLogger(createRootLogger(config.logLevel));
  // abortOnError: false, so a start-up failure reaches the caller (main prints its reason) instead of exiting here.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger, bodyParser: false, abortOnError: false });
  // The request id first, so even a body the parser rejects gets an error that carries it.
  app.use(requestIdMiddleware);
  // Security headers and compression for everything Express answers (the SDK read path below sets its own).
  app.use(securityHeaders());
  app.use(responseCompression());
  // Depth is refused on the raw bytes, before JSON.parse spends a second on a 500,000-deep body.
  app.useBodyParser('json', { limit: '1mb', verify: refuseDeepJson } as NestExpressBodyParserOptionsFor<'json'>);
  app.use(cookieParser());
  app.disable('x-powered-by');
  // Only proxies the operator named may set the client's address (req.ip) through X-Forwarded-For.
  app.set('trust proxy', config.trustProxy);
  app.setGlobalPrefix('api/v1', { exclude: NON_API_ROUTES.map((p) => ({ path: p, method: RequestMethod.ALL })) });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());

  // Built on the first request for the docs, not at start: scanning every route and DTO costs
  // about 0.1-0.3 s and a few MB that most instances never need (Swagger calls the factory once).
  const document = () => {
    const built = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Signalbox API')
        .setDescription(
          'Feature flags for data pipelines and ML model rollouts. Authenticate with a session (POST /api/v1/auth/login), an API token or, for SDK endpoints, an SDK key, as `Authorization: Bearer ...`.',
        )
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    documentSdkReadPaths(built);
    documentOfrepPaths(built);
    return built;
  };
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  if (fs.existsSync(path.join(config.webDir, 'index.html'))) {
    const assets = consoleFiles(config.webDir);
    // The console's files and client-side routes; API, socket.io and operations paths never touch them.
    app.use((req: Request, res: Response, next: NextFunction) => {
      const first = req.path.split('/')[1] ?? '';
      if (first === 'api' || first === 'socket.io' || NON_API_ROUTES.includes(first)) return next();
      assets(req, res, next);
    });
  }
  // The SDK read path answers before Express sees the request (see SdkReadHandler).
  const server = app.getHttpServer();
  answerClientErrors(server);
  const sdkRead = app.get(SdkReadHandler);
  // OFREP (/ofrep/v1/...) the same way: outside the /api/v1 prefix, as OpenFeature's providers call it.
  const ofrep = app.get(OfrepHandler);
  const draining = app.get(Draining);
  const rest = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  if (rest.length === 0) throw new Error('the HTTP server has no request handler to put the SDK read path in front of');
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // While shutting down, every response closes its connection, so keep-alive clients move on.
    if (draining.active) res.setHeader('Connection', 'close');
    if (!sdkRead.handle(req, res) && !ofrep.handle(req, res)) for (const listener of rest) listener.call(server, req, res);
  });
  return app;
};
