import { Module } from '@nestjs/common';
import { HouseholdsModule } from '../households/households.module.js';
import { DisastersController } from './disasters.controller.js';
import { DisastersService } from './disasters.service.js';

/** Major natural disasters and the re-entry cases they start: routes under /api/disasters. */
@Module({
  imports: [HouseholdsModule],
  controllers: [DisastersController],
  providers: [DisastersService],
})
export class DisastersModule {}
