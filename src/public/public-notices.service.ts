import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DefinitionsService } from '../definitions/definitions.service.js';
import { noticeSteps, proposalOf, toPublicNotice, type PublicNotice } from './notice-board.js';
import { FormTokens, NoticeIdCodec, type NoticeRef } from './public-ids.js';
import { noticeNotFound, PublicException, PublicExceptionCode } from './public.exception.js';

export interface NoticeQuery {
  county?: string;
  town?: string;
  page?: number;
  pageSize?: number;
}

export interface NoticePage {
  items: PublicNotice[];
  total: number;
  page: number;
  pageSize: number;
}

interface NoticeRow {
  case_id: string;
  step: string;
  step_entry: number;
  opened_at: Date;
  due_at: Date | null;
  title: string | null;
  definition_id: string;
  county_name: string | null;
  town_name: string | null;
  village_name: string | null;
}

/**
 * The households in a notice step now are the cases with an open task at one: the task
 * opens when the case enters the step and closes when it leaves (an objection, the end of
 * the period), and carries the step's due time. Names come from the jurisdiction tree.
 */
const NOTICE_FROM = `FROM tasks t
  JOIN unnest($1::uuid[], $2::text[]) AS n(definition_id, step) ON n.step = t.step
  JOIN cases c ON c.id = t.case_id AND c.definition_id = n.definition_id`;
const NOTICE_WHERE = `WHERE t.status = 'open' AND c.jurisdiction_code LIKE $3`;

/**
 * The unauthenticated board (公示): who is in a public notice now, with the few fields a
 * paper notice shows, and the form tokens objections need.
 */
@Injectable()
export class PublicNoticesService {
  readonly ids: NoticeIdCodec;
  readonly tokens: FormTokens;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ids = new NoticeIdCodec(config.publicBoard.secret);
    this.tokens = new FormTokens(config.publicBoard.secret);
  }

  async list(query: NoticeQuery): Promise<NoticePage> {
    if (query.county && query.town && !query.town.startsWith(query.county)) {
      throw new PublicException('town 不属于 county / The town is not in that county', PublicExceptionCode.INVALID_QUERY);
    }
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const { definitionIds, steps, proposals } = await this.noticeSteps();
    const scope = `${query.town ?? query.county ?? ''}%`;
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total ${NOTICE_FROM} ${NOTICE_WHERE}`, [definitionIds, steps, scope]);
    const rows: NoticeRow[] = await this.dataSource.query(
      `SELECT t.case_id, t.step, t.step_entry, t.opened_at, t.due_at, c.title, c.definition_id,
              county.name AS county_name, town.name AS town_name, village.name AS village_name
         ${NOTICE_FROM}
         LEFT JOIN jurisdictions county ON county.code = left(c.jurisdiction_code, 6)
         LEFT JOIN jurisdictions town ON length(c.jurisdiction_code) >= 9 AND town.code = left(c.jurisdiction_code, 9)
         LEFT JOIN jurisdictions village ON length(c.jurisdiction_code) = 12 AND village.code = c.jurisdiction_code
        ${NOTICE_WHERE}
        ORDER BY t.opened_at DESC, t.case_id, t.step
        LIMIT $4 OFFSET $5`,
      [definitionIds, steps, scope, pageSize, (page - 1) * pageSize],
    );
    return {
      items: rows.map((row) =>
        toPublicNotice({
          id: this.ids.encode({ caseId: row.case_id, step: row.step, entry: row.step_entry }),
          title: row.title,
          countyName: row.county_name,
          townName: row.town_name,
          villageName: row.village_name,
          proposal: proposals.get(row.definition_id)!,
          openedAt: new Date(row.opened_at),
          dueAt: row.due_at ? new Date(row.due_at) : null,
        }),
      ),
      total,
      page,
      pageSize,
    };
  }

  /**
   * A form token for objecting to a notice. Issued for any notice id this server handed
   * out, also once the notice ended: the objection is then stored and shown to the officer.
   */
  formToken(noticeId: string): { formToken: string; notBefore: Date; expiresAt: Date } {
    this.notice(noticeId);
    const { token, notBefore, expiresAt } = this.tokens.issue(noticeId, this.clock.now());
    return { formToken: token, notBefore, expiresAt };
  }

  /** The notice an id names; 404 for an id this server did not hand out. */
  notice(noticeId: string): NoticeRef {
    const ref = this.ids.decode(noticeId);
    if (!ref) throw noticeNotFound();
    return ref;
  }

  /**
   * The notice steps of every published version, as parallel arrays for the query, and what
   * each version's notice proposes. Versions are immutable and cached by DefinitionsService;
   * the id list is read each time, so a version published at run time shows up at once.
   */
  private async noticeSteps(): Promise<{ definitionIds: string[]; steps: string[]; proposals: Map<string, string> }> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM workflow_definitions ORDER BY id`);
    const definitionIds: string[] = [];
    const steps: string[] = [];
    const proposals = new Map<string, string>();
    for (const { id } of rows) {
      const { compiled } = await this.definitions.byId(id);
      for (const notice of noticeSteps(compiled)) {
        definitionIds.push(id);
        steps.push(notice.step);
      }
      proposals.set(id, proposalOf(compiled.definition));
    }
    return { definitionIds, steps, proposals };
  }
}
