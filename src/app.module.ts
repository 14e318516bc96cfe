import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module.js';
import { CasesModule } from './cases/cases.module.js';
import { CoreModule } from './common/core.module.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { DefinitionsModule } from './definitions/definitions.module.js';
import { OrgModule } from './org/org.module.js';

/** Wiring only: the HTTP application. */
@Module({
  imports: [
    ConfigModule,
    CoreModule,
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      // No migrations here: they run before the app starts (ensure-database.ts).
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), migrations: [] }),
    }),
    OrgModule,
    AuthModule,
    DefinitionsModule,
    CasesModule,
    // QueuesModule (src/common/queues.module.ts) is imported by the worker only, so the
    // API does not need Redis to serve; import it here when the API must enqueue.
  ],
})
export class AppModule {}
