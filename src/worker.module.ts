import { AuditModule } from './audit/audit.module.js';
import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CoreModule } from './common/core.module.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { JobsModule } from './jobs/jobs.module.js';

/** Wiring only: the worker process (no HTTP). */
@Module({
  imports: [
    ConfigModule,
    CoreModule,
    DatabaseModule,
    AuditModule,
    // BullMQ workers and their handlers, deadline scheduler, reconciler, outbox relay.
    JobsModule,
  ],
})
export class WorkerModule implements OnApplicationShutdown {
  onApplicationShutdown(signal?: string): void {
    new Logger('Worker').log(`fupin-flow worker stopped${signal ? ` (${signal})` : ''}`);
  }
}
