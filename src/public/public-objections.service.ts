import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CasesService, SYSTEM_ACTOR, type CaseRow } from '../cases/cases.service.js';
import { sealText } from '../cases/resident-id-sealing.js';
import { Clock } from '../common/clock.js';
import { DefinitionsService, type PublishedDefinition } from '../definitions/definitions.service.js';
import { activeSteps } from '../engine/case-transition.js';
import { EngineException } from '../engine/engine.exception.js';
import { jurisdictionAt } from '../engine/jurisdiction-code.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { residentIdsInText, shownText, type FreeText } from '../org/resident-id-text.js';
import { noticeSteps, objectionInput } from './notice-board.js';
import type { NoticeRef } from './public-ids.js';
import type { ObjectionOutcome } from './public-objection.entity.js';
import { PublicNoticesService } from './public-notices.service.js';
import { noticeNotFound, PublicException, PublicExceptionCode } from './public.exception.js';

export interface ObjectionInput {
  text: string;
  contact?: string;
  name?: string;
  formToken: string;
  /** The honeypot field. */
  website?: string;
}

export interface ObjectionClient {
  address: string;
  userAgent?: string;
}

export interface ObjectionReceipt {
  reference: string;
  receivedAt: Date;
  message: string;
}

/** The same answer whatever became of the case: the public learns nothing about it. */
const RECEIVED = '异议已收到，镇（街）扶贫部门将核查处理 / Your objection was received; the town poverty office will look into it';

const TOKEN_REFUSALS = {
  invalid: ['表单已失效，请重新打开异议表单 / The form token is not valid; open the form again', PublicExceptionCode.FORM_TOKEN_INVALID],
  'too-early': ['提交过快，请稍候再提交 / Submitted too quickly; wait a few seconds and send again', PublicExceptionCode.FORM_TOKEN_TOO_EARLY],
  expired: ['表单已过期，请重新打开异议表单 / The form has expired; open it again', PublicExceptionCode.FORM_TOKEN_EXPIRED],
} as const;

const NOTIFICATION_TITLES: Record<Exclude<ObjectionOutcome, 'pending'>, string> = {
  'review-opened': '收到公示异议，已转入异议核查',
  'already-under-review': '收到公示异议（该户已在异议核查中）',
  'notice-ended': '收到公示异议（公示期已结束）',
  'refused-by-workflow': '收到公示异议（流程未能转入核查，请人工处理）',
};

/**
 * Objections to public notices (公示异议). One transaction per objection: the case row is
 * locked first (the order every action and deadline firing takes), the objection stored,
 * the notice step's `object` action taken as the system when the case is still at that
 * notice — the case then waits in objection review, a task offered to the town officers —
 * and in every case a history event on the case and an in-app notification, so an
 * objection that arrives after the notice ended or while one is under review is seen too.
 */
@Injectable()
export class PublicObjectionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notices: PublicNoticesService,
    private readonly cases: CasesService,
    private readonly definitions: DefinitionsService,
    private readonly notifications: NotificationsService,
    private readonly cipher: ResidentIdCipher,
    private readonly clock: Clock,
  ) {}

  async file(noticeId: string, input: ObjectionInput, client: ObjectionClient): Promise<ObjectionReceipt> {
    // Only a bot sees (and fills in) the hidden field: refused, and nothing is stored.
    if (input.website !== undefined && input.website.trim() !== '') {
      throw new PublicException('提交未被接受 / The submission was not accepted', PublicExceptionCode.SUBMISSION_REFUSED);
    }
    const ref = this.notices.notice(noticeId);
    const now = this.clock.now();
    const token = this.notices.tokens.check(input.formToken, noticeId, now);
    if (!token.ok) {
      const [message, code] = TOKEN_REFUSALS[token.reason];
      throw new PublicException(message, code);
    }
    const text = input.text.trim();
    const name = input.name?.trim() || null;
    const contact = input.contact?.trim() || null;
    // A resident ID a citizen typed (their own, the household's) is sealed like any in a case:
    // the case's history keeps the sealed text, public_objections and notifications the masked one.
    const sealed = { text: sealText(text, this.cipher), name: this.sealOptional(name), contact: this.sealOptional(contact) };
    const shown = { text: shownText(sealed.text), name: sealed.name && shownText(sealed.name), contact: sealed.contact && shownText(sealed.contact) };
    const textHash = this.textHash(text, shown.text);

    return this.dataSource.transaction(async (manager) => {
      const row = await this.cases.lockForSystem(manager, ref.caseId);
      if (!row) throw noticeNotFound();
      const published = await this.definitions.byId(row.definition_id);
      const notice = noticeSteps(published.compiled).find((s) => s.step === ref.step);
      if (!notice) throw noticeNotFound();

      const inserted: { id: string; received_at: Date }[] = await manager.query(
        `INSERT INTO public_objections (notice_id, case_id, step, step_entry, text, name, contact, source_address, user_agent,
                                        received_at, outcome, text_hash, form_nonce)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12)
         ON CONFLICT DO NOTHING RETURNING id, received_at`,
        [noticeId, ref.caseId, ref.step, ref.entry, shown.text, shown.name, shown.contact, client.address.slice(0, 64), client.userAgent?.slice(0, 500) ?? null, now, textHash, token.nonce],
      );
      if (inserted.length === 0) return this.earlier(manager, ref, client.address, textHash, token.nonce);
      const [{ id, received_at: receivedAt }] = inserted;

      const outcome = await this.apply(manager, row, published, ref, notice.objectAction, { id, text: sealed.text, name: sealed.name }, now);
      await this.cases.appendEvent(
        manager,
        row,
        'objection',
        'public-objection',
        SYSTEM_ACTOR,
        { objectionId: id, noticeStep: ref.step, noticeEntry: ref.entry, outcome, text: sealed.text, name: sealed.name, contact: sealed.contact, receivedAt: now.toISOString() },
        now,
      );
      await this.notifyOfficers(manager, row, published, ref.step, { id, text: shown.text, outcome }, now);
      await manager.query(`UPDATE public_objections SET outcome = $2 WHERE id = $1`, [id, outcome]);
      return { reference: id, receivedAt: new Date(receivedAt), message: RECEIVED };
    });
  }

  /**
   * Takes the notice step's `object` action as the system when the case is at the very
   * notice objected to; otherwise says where the case is. The engine's refusal (a guard of
   * the definition) is recorded as such, never lost.
   */
  private async apply(
    manager: EntityManager,
    row: CaseRow,
    published: PublishedDefinition,
    ref: NoticeRef,
    objectAction: string,
    objection: { id: string; text: FreeText; name: FreeText | null },
    now: Date,
  ): Promise<ObjectionOutcome> {
    const { compiled } = published;
    const active = row.snapshot.status === 'active' ? activeSteps(compiled, row.snapshot) : [];
    const action = compiled.steps.get(ref.step)!.definition.actions![objectAction];
    if (active.includes(ref.step) && row.snapshot.context.entries[ref.step] === ref.entry) {
      try {
        await this.cases.perform(
          manager,
          row,
          published,
          SYSTEM_ACTOR,
          {
            action: objectAction,
            step: ref.step,
            data: objectionInput(action, { text: objection.text, name: objection.name ?? undefined }),
            comment: `公众异议 ${objection.id}`,
          },
          now,
        );
        return 'review-opened';
      } catch (error) {
        if (!(error instanceof EngineException)) throw error;
        return 'refused-by-workflow';
      }
    }
    return action.target !== undefined && active.includes(action.target) ? 'already-under-review' : 'notice-ended';
  }

  private sealOptional(value: string | null): FreeText | null {
    return value === null ? null : sealText(value, this.cipher);
  }

  /**
   * The duplicate check's hash: SHA-256 of the text, whitespace collapsed. A text holding
   * resident IDs is hashed as shown (masked) with the IDs' keyed blind indexes: a plain hash
   * of it would let anyone holding the row try the few million numbers its mask leaves open.
   */
  private textHash(text: string, shown: string): string {
    const ids = residentIdsInText(text);
    const hash = createHash('sha256').update(shown.replace(/\s+/g, ' '));
    if (ids.length > 0) hash.update(`\n${ids.map((found) => this.cipher.blindIndex(found.id)).join(',')}`);
    return hash.digest('hex');
  }

  /**
   * Why the insert wrote nothing: a token used before is refused (a replay, even of the same
   * text); a new token with the text this address already sent for this notice gets the first
   * objection's receipt, and nothing is stored twice.
   */
  private async earlier(manager: EntityManager, ref: NoticeRef, address: string, textHash: string, nonce: string): Promise<ObjectionReceipt> {
    const [used] = await manager.query(`SELECT 1 FROM public_objections WHERE form_nonce = $1`, [nonce]);
    if (used) {
      throw new PublicException('该表单已提交过，请重新打开异议表单 / This form was already sent; open it again', PublicExceptionCode.FORM_TOKEN_USED);
    }
    const [first]: { id: string; received_at: Date }[] = await manager.query(
      `SELECT id, received_at FROM public_objections
        WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND source_address = $4 AND text_hash = $5`,
      [ref.caseId, ref.step, ref.entry, address.slice(0, 64), textHash],
    );
    if (!first) throw new Error(`Objection to ${ref.caseId} conflicted with neither its token nor a duplicate`);
    return { reference: first.id, receivedAt: new Date(first.received_at), message: RECEIVED };
  }

  /**
   * Tells the people of the notice step (its role at its level over the case: the town
   * officers) — the objection is theirs to look into whatever the case's state.
   */
  private async notifyOfficers(
    manager: EntityManager,
    row: CaseRow,
    published: PublishedDefinition,
    step: string,
    objection: { id: string; text: string; outcome: ObjectionOutcome },
    now: Date,
  ): Promise<void> {
    const { definition } = published.compiled.steps.get(step)!;
    const node = definition.role && definition.level ? jurisdictionAt(row.jurisdiction_code, definition.level) : null;
    if (!node || !definition.role) return;
    const recipients = await this.notifications.usersToNotify(manager, definition.role, node);
    const household = row.title ?? published.compiled.definition.label;
    const excerpt = Array.from(objection.text).length > 200 ? `${Array.from(objection.text).slice(0, 200).join('')}…` : objection.text;
    await this.notifications.notify(manager, {
      recipients,
      caseId: row.id,
      kind: 'public-objection',
      title: `${NOTIFICATION_TITLES[objection.outcome as Exclude<ObjectionOutcome, 'pending'>]}：${household}`,
      body: `${published.compiled.definition.label}「${household}」的“${definition.label}”收到公众异议（编号 ${objection.id}）：${excerpt}\n异议全文及联系方式见案件记录。`,
      dedupKey: `public-objection-${objection.id}`,
      now,
    });
  }
}
