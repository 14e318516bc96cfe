import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { JobName, type JobResults, type TypedJob } from '../common/queues.js';
import { DigestService } from '../notifications/digest.service.js';
import { JobHandler, type JobHandlerOf } from './job-handler.js';

/** The daily digest, made by a BullMQ job scheduler at 08:00 Beijing time. */
@Injectable()
@JobHandler(JobName.SendDailyDigest)
export class SendDailyDigestJob implements JobHandlerOf<JobName.SendDailyDigest> {
  constructor(
    private readonly digest: DigestService,
    private readonly clock: Clock,
  ) {}

  async handle(_job: TypedJob<JobName.SendDailyDigest>): Promise<JobResults[JobName.SendDailyDigest]> {
    await this.digest.sendDailyDigest(this.clock.now());
    return 'sent';
  }
}
