import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { CasesModule } from './cases/cases.module.js';
import { CoreModule } from './common/core.module.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DefinitionsModule } from './definitions/definitions.module.js';
import { OrgModule } from './org/org.module.js';

/** Wiring only: the HTTP application. */
@Module({
  imports: [
    ConfigModule,
    CoreModule,
    DatabaseModule,
    OrgModule,
    AuthModule,
    DefinitionsModule,
    CasesModule,
    // QueuesModule (src/common/queues.module.ts) is imported by the worker only, so the
    // API does not need Redis to serve; import it here when the API must enqueue.
  ],
})
export class AppModule {}
