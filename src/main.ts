import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp, DOCS_PATH, GLOBAL_PREFIX } from './app-setup.js';
import { MaskingLogger } from './common/masking-logger.js';
import { loadAppConfig } from './config/app-config.js';
import { ensureDatabase } from './database/ensure-database.js';

// Resident ID numbers never reach a log line, including those written before the app exists.
Logger.overrideLogger(new MaskingLogger());

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadAppConfig();
  await ensureDatabase(config);

  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: new MaskingLogger() });
  configureApp(app);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(config.port);
  logger.log(`fupin-flow API listening on http://localhost:${config.port}/${GLOBAL_PREFIX}`);
  logger.log(`OpenAPI documentation at http://localhost:${config.port}/${DOCS_PATH}`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').error(error instanceof Error ? error.message : String(error), error instanceof Error ? error.stack : undefined);
  process.exit(1);
});
