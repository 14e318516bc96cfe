import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { divisionName } from '../org/division-names.js';
import { OverdueAlertsService } from '../alerts/overdue-alerts.service.js';
import { beijingDate } from '../deadlines/deadline-duration.js';
import { NotificationsService } from './notifications.service.js';
import { DIGEST_MAX_ITEMS, overdueDigestText } from './templates.js';

export interface DigestResult {
  /** The Beijing date the digest is for. */
  date: string;
  /** The supervisors who had overdue work, with how much. */
  notified: { userId: string; username: string; overdue: number }[];
}

/**
 * What one supervisor's digest holds at a moment: the mail's subject and text when there is
 * overdue work, null for both when there is none (then nothing is sent).
 */
export interface DigestContent {
  /** The Beijing date the digest is for. */
  date: string;
  jurisdictionCode: string;
  jurisdictionName: string;
  /** Every overdue task of the subtree (the mail names the first DIGEST_MAX_ITEMS). */
  total: number;
  title: string | null;
  body: string | null;
}

/**
 * The supervisors' daily digest (scheduled by the worker at 08:00 Asia/Shanghai). Each
 * active supervisor gets one notification, and one mail when they have an address, listing
 * the overdue tasks of their subtree — the same query as GET /api/alerts/overdue. Supervisors
 * with nothing overdue get nothing: a daily "all clear" would teach people to ignore it.
 * The dedup key holds the Beijing date, so a digest run twice in a day (a retried job,
 * two workers) sends once.
 */
@Injectable()
export class DigestService {
  private readonly logger = new Logger(DigestService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly overdue: OverdueAlertsService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * The digest of one jurisdiction at `now`: the one function behind the 08:00 mail and
   * GET /api/notifications/digest, so the dashboard shows exactly what the mail says.
   */
  async content(manager: EntityManager, jurisdictionCode: string, now: Date): Promise<DigestContent> {
    const date = beijingDate(now);
    const report = await this.overdue.find(manager, jurisdictionCode, now, DIGEST_MAX_ITEMS);
    const jurisdictionName = divisionName(jurisdictionCode) ?? jurisdictionCode;
    const text = report.total > 0 ? overdueDigestText({ date, jurisdictionName, report }) : null;
    return { date, jurisdictionCode, jurisdictionName, total: report.total, title: text?.title ?? null, body: text?.body ?? null };
  }

  async sendDailyDigest(now: Date): Promise<DigestResult> {
    const date = beijingDate(now);
    const supervisors: { id: string; username: string; jurisdiction_code: string }[] = await this.dataSource.query(
      `SELECT id, username, jurisdiction_code FROM users WHERE active AND 'supervisor' = ANY(roles) ORDER BY jurisdiction_code, username`,
    );
    const notified: DigestResult['notified'] = [];
    for (const supervisor of supervisors) {
      // One transaction per supervisor: one failing does not hold back the others' digests,
      // and a rerun completes only the missing ones (the rest conflict on their dedup key).
      const count = await this.dataSource.transaction(async (manager) => {
        const digest = await this.content(manager, supervisor.jurisdiction_code, now);
        if (digest.title === null || digest.body === null) return 0;
        await this.notifications.notify(manager, {
          recipients: [supervisor.id],
          caseId: null,
          kind: 'overdue-digest',
          title: digest.title,
          body: digest.body,
          dedupKey: `digest-${date}-${supervisor.id}`,
          now,
        });
        return digest.total;
      });
      if (count > 0) notified.push({ userId: supervisor.id, username: supervisor.username, overdue: count });
    }
    this.logger.log(`Overdue digest ${date}: ${notified.length} of ${supervisors.length} supervisors had overdue work`);
    return { date, notified };
  }
}
