import { Module } from '@nestjs/common';
import { JurisdictionsController } from './jurisdictions.controller.js';
import { JurisdictionsService } from './jurisdictions.service.js';

/** Jiangmen's jurisdiction tree: loaded at start-up, read by the routes and other modules. */
@Module({
  controllers: [JurisdictionsController],
  providers: [JurisdictionsService],
  exports: [JurisdictionsService],
})
export class JurisdictionsModule {}
