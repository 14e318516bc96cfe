import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { CasesModule } from '../cases/cases.module.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { residentIdCipherProvider } from '../org/resident-id-cipher.js';
import { RulesModule } from '../rules/rules.module.js';
import { attachmentStoreProvider } from './attachment-store.js';
import { HouseholdAttachmentsController } from './household-attachments.controller.js';
import { HouseholdAttachmentsService } from './household-attachments.service.js';
import { HouseholdCasesService } from './household-cases.service.js';
import { HouseholdReportsService } from './household-reports.service.js';
import { HouseholdsController } from './households.controller.js';
import { HouseholdsService } from './households.service.js';
import { LegacyTextSealer } from './legacy-text-sealer.js';

/** Household files (一户一档): routes under /api/households. */
@Module({
  imports: [
    CasesModule,
    RulesModule,
    // Uploads are held in memory (at most ATTACHMENT_MAX_BYTES, one file, a few fields) and
    // checked before anything is stored; file names are read as UTF-8 (Chinese names).
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        limits: { fileSize: config.attachments.maxBytes, files: 1, fields: 5, parts: 6 },
        defParamCharset: 'utf8',
      }),
    }),
  ],
  controllers: [HouseholdsController, HouseholdAttachmentsController],
  providers: [
    HouseholdsService,
    HouseholdCasesService,
    HouseholdReportsService,
    HouseholdAttachmentsService,
    LegacyTextSealer,
    attachmentStoreProvider,
    residentIdCipherProvider,
  ],
  exports: [HouseholdsService, HouseholdCasesService],
})
export class HouseholdsModule {}
