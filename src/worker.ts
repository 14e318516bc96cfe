import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MaskingLogger } from './common/masking-logger.js';
import { loadAppConfig } from './config/app-config.js';
import { WorkerModule } from './worker.module.js';

/**
 * The worker process: BullMQ workers (deadline firings; outbox deliveries and the daily
 * digest; migration runs and year-end assessments, on a queue of their own), the deadline
 * scheduler, the reconciler and the outbox relay — no HTTP. It does not run migrations
 * (the API does, at start-up), and whatever it handles it re-reads from
 * PostgreSQL, so any number of workers can run, and each can be stopped (SIGTERM: timers
 * stop, jobs in progress finish) or killed at any moment (its jobs are redelivered).
 */
// Resident ID numbers never reach a log line, including those written before the app exists.
Logger.overrideLogger(new MaskingLogger());

async function bootstrap(): Promise<void> {
  const logger = new Logger('Worker');
  const config = loadAppConfig(); // fail fast with every configuration problem listed
  const logLevels: LogLevel[] =
    config.nodeEnv === 'production' ? ['fatal', 'error', 'warn', 'log'] : ['fatal', 'error', 'warn', 'log', 'debug'];
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: new MaskingLogger({ logLevels }) });
  // SIGTERM/SIGINT → app.close(): modules' shutdown hooks close workers, queues and connections.
  // useProcessExit: exit with 0 once closed rather than re-raising the signal.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.init();
  logger.log(`fupin-flow worker started (pid ${process.pid}, BullMQ prefix '${config.delivery.bullmqPrefix}')`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Worker').error(error instanceof Error ? error.message : String(error), error instanceof Error ? error.stack : undefined);
  process.exit(1);
});
