import { Module } from '@nestjs/common';
import { CalendarService } from './calendar.service.js';
import { DeadlinesService } from './deadlines.service.js';

/** Deadline rows and the working calendar; used inside every case action. */
@Module({
  providers: [CalendarService, DeadlinesService],
  exports: [CalendarService, DeadlinesService],
})
export class DeadlinesModule {}
