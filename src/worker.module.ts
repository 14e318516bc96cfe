import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CoreModule } from './common/core.module.js';
import { QueuesModule } from './common/queues.module.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source.js';

/** Wiring only: the worker process (no HTTP). */
@Module({
  imports: [
    ConfigModule,
    CoreModule,
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), migrations: [] }),
    }),
    QueuesModule,
    // ── The outbox relay, deadline scheduler, BullMQ workers and reconciler go here. ──
  ],
})
export class WorkerModule implements OnApplicationShutdown {
  onApplicationShutdown(signal?: string): void {
    new Logger('Worker').log(`fupin-flow worker stopped${signal ? ` (${signal})` : ''}`);
  }
}
