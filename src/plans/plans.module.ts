import { Module } from '@nestjs/common';
import { DefinitionsModule } from '../definitions/definitions.module.js';
import { PlansController } from './plans.controller.js';
import { PlansService } from './plans.service.js';

/** The 2:3:5 reduction plan: targets per county and year, and progress against them. */
@Module({
  imports: [DefinitionsModule],
  controllers: [PlansController],
  providers: [PlansService],
  exports: [PlansService],
})
export class PlansModule {}
