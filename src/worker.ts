import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadAppConfig } from './config/app-config.js';
import { WorkerModule } from './worker.module.js';

/**
 * The worker process: BullMQ workers and the reconciler, no HTTP. It does not run
 * migrations (the API does, at start-up), and whatever it handles it re-reads from
 * PostgreSQL, so it can be stopped and restarted at any moment.
 */
async function bootstrap(): Promise<void> {
  const logger = new Logger('Worker');
  loadAppConfig(); // fail fast with every configuration problem listed
  const app = await NestFactory.createApplicationContext(WorkerModule);
  // SIGTERM/SIGINT → app.close(): modules' shutdown hooks close queues and connections.
  // useProcessExit: exit with 0 once closed rather than re-raising the signal.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.init();
  logger.log('fupin-flow worker started');
}

bootstrap().catch((error: unknown) => {
  new Logger('Worker').error(error instanceof Error ? error.message : String(error), error instanceof Error ? error.stack : undefined);
  process.exit(1);
});
