import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from './app.module.js';
import { HttpExceptionFilter } from './common/errors/http-exception.filter.js';
import { requestIdMiddleware } from './common/http/request-id.middleware.js';
import { createRootLogger, PinoNestLogger } from './common/logging/logger.js';
import { createValidationPipe } from './common/validation/validation-pipe.js';
import type { AppConfig } from './config/config.js';

const NON_API_ROUTES = ['healthz', 'readyz', 'metrics'];

/** Builds the whole server (API, docs, console) without listening, so tests and main share it. */
export const createApp = async (config: AppConfig): Promise<NestExpressApplication> => {
  const logger = new PinoNestLogger(createRootLogger(config.logLevel));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger, bodyParser: false });
  app.useBodyParser('json', { limit: '1mb' });
  app.use(requestIdMiddleware);
  app.use(cookieParser());
  app.disable('x-powered-by');
  app.setGlobalPrefix('api/v1', { exclude: NON_API_ROUTES.map((p) => ({ path: p, method: RequestMethod.ALL })) });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Signalbox API')
      .setDescription('Feature flags for data pipelines and ML model rollouts. Authenticate with a session (POST /api/v1/auth/login), an API token or, for SDK endpoints, an SDK key, as `Authorization: Bearer ...`.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  if (fs.existsSync(path.join(config.webDir, 'index.html'))) {
    app.useStaticAssets(config.webDir, { index: false, maxAge: '1h' });
    const indexHtml = path.join(config.webDir, 'index.html');
    // Client-side routes: anything that is not the API answers with the console's page.
    app.use((req: Request, res: Response, next: NextFunction) => {
      const first = req.path.split('/')[1] ?? '';
      if (req.method !== 'GET' || first === 'api' || first === 'socket.io' || NON_API_ROUTES.includes(first)) return next();
      res.sendFile(indexHtml);
    });
  }
  return app;
};
