import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { HouseholdsModule } from '../households/households.module.js';
import { residentIdCipherProvider } from '../org/resident-id-cipher.js';
import { DisastersController } from './disasters.controller.js';
import { DisastersService } from './disasters.service.js';

/** Major natural disasters and the re-entry cases they start: routes under /api/disasters. */
@Module({
  imports: [HouseholdsModule, CasesModule],
  controllers: [DisastersController],
  providers: [DisastersService, residentIdCipherProvider],
})
export class DisastersModule {}
