import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { createValidationPipe } from './common/validation.pipe.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';

export const GLOBAL_PREFIX = 'api';

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse turns `"__proto__"` into an own property, harmless by itself but a
 * prototype-pollution vector for any later deep merge. No field of this API has such a
 * name, so a body that contains one is refused as malformed (400) before any code sees it.
 */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (PROTOTYPE_KEYS.has(key)) throw new SyntaxError(`the property name "${key}" is not allowed`);
  return value;
}
export const DOCS_PATH = `${GLOBAL_PREFIX}/docs`;

/**
 * Everything that makes the HTTP application behave as deployed: prefix, security
 * headers, body limits, validation, error shape, OpenAPI. main.ts and the integration
 * tests both call this, so tests exercise exactly what production runs.
 * Call before app.init() / app.listen().
 */
export function configureApp(app: INestApplication): void {
  const config = app.get<AppConfig>(APP_CONFIG);
  const express = app as NestExpressApplication;

  app.setGlobalPrefix(GLOBAL_PREFIX);
  app.use(
    helmet({
      // The demo and docker setups serve plain HTTP on whatever host they run on; forcing
      // https for sub-resources there would break the docs page. TLS, where there is
      // any, ends at the proxy in front.
      contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
    }),
  );
  // Browsers may call the API only from the configured origins (CORS_ORIGINS); any other
  // origin gets no Access-Control-Allow-Origin and the browser withholds the answer. Tokens
  // travel in the Authorization header, never in cookies, so credentials stay off.
  app.enableCors({
    origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposedHeaders: ['Retry-After'],
    credentials: false,
    maxAge: 600,
  });
  // Registered before Nest's defaults, which then skip the parsers already present.
  express.useBodyParser('json', { limit: config.bodyLimit, reviver: refusePrototypeKeys });
  express.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: true });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter(app.get(HttpAdapterHost)));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('fupin-flow API')
      .setDescription("Workflow and approval engine for Jiangmen's targeted poverty alleviation (江门市精准扶贫)")
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  // Serves the UI at /api/docs and the JSON at /api/docs-json.
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json` });
  serveWebApp(express, config.webDist);
}

/**
 * A request under the API prefix: never answered by the web app, so an unknown route stays a
 * JSON 404. Case-insensitive, as Express routes are (/API/auth/me reaches the API).
 */
function isApiPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === `/${GLOBAL_PREFIX}` || lower.startsWith(`/${GLOBAL_PREFIX}/`);
}

/**
 * The built web app (web/dist) at `/`, when it was built: its files, and its index.html for
 * every other GET outside /api, so that a page reloaded at /cases/… opens the app, whose
 * router shows it. Without a build the process is the API alone.
 */
function serveWebApp(app: NestExpressApplication, webDist: string): void {
  const index = join(webDist, 'index.html');
  if (!existsSync(index)) return;
  const assets = app.getHttpAdapter().getInstance() as { use(handler: (req: WebRequest, res: WebResponse, next: () => void) => void): void };
  // Vite names every file under assets/ by its content hash: cacheable for good. index.html
  // is not: it names the current assets.
  app.useStaticAssets(webDist, {
    index: false,
    setHeaders: (res: WebResponse, path: string) => {
      res.setHeader('Cache-Control', path.includes(`${join(webDist, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  assets.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

interface WebRequest {
  method: string;
  path: string;
}

interface WebResponse {
  setHeader(name: string, value: string): void;
  sendFile(path: string): void;
}
