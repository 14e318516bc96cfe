import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CoreModule } from './common/core.module.js';
import { QueuesModule } from './common/queues.module.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';

/** Wiring only: the worker process (no HTTP). */
@Module({
  imports: [
    ConfigModule,
    CoreModule,
    DatabaseModule,
    QueuesModule,
    // ── The outbox relay, deadline scheduler, BullMQ workers and reconciler go here. ──
  ],
})
export class WorkerModule implements OnApplicationShutdown {
  onApplicationShutdown(signal?: string): void {
    new Logger('Worker').log(`fupin-flow worker stopped${signal ? ` (${signal})` : ''}`);
  }
}
