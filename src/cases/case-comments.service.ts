import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { shownText } from '../org/resident-id-text.js';
import { CasesService, toActor } from './cases.service.js';

/** The history row type of a comment. Replay skips it (src/engine/history-replay.ts: only started/action rows move the state). */
export const COMMENT_EVENT = 'comment';

export interface CaseComment {
  seq: number;
  at: Date;
  actor: { kind: string; id: string | null; username: string | null };
  text: string;
}

/**
 * Comments on a case (会商意见): a row of the case's hash-chained history, so the timeline
 * shows them in order with the actions and the chain covers them — the history is the record,
 * no audit row. Anyone who may act on the case may comment; a comment changes neither the
 * state nor the case version (an officer's open form stays valid). A valid resident ID in the
 * text is sealed before the row is written (so the chain hashes the sealed text) and shown
 * masked; `POST …/resident-ids/reveal {seq, path: 'text/0'}` reveals it.
 */
@Injectable()
export class CaseCommentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly clock: Clock,
  ) {}

  async add(user: AuthUser, caseId: string, text: string): Promise<CaseComment> {
    return this.dataSource.transaction(async (manager) => {
      // The row lock serialises this append with actions and deadline firings on the case's chain.
      const row = await this.cases.readable(manager, user, caseId, 'comment', true);
      const now = this.clock.now();
      const sealed = this.cases.sealText(text);
      await this.cases.appendEvent(manager, row, COMMENT_EVENT, null, toActor(user), { text: sealed }, now);
      return { seq: row.last_seq!, at: now, actor: { kind: 'user', id: user.id, username: user.username }, text: shownText(sealed) };
    });
  }

  async list(user: AuthUser, caseId: string): Promise<CaseComment[]> {
    await this.cases.readable(this.dataSource.manager, user, caseId, 'history');
    // The text as jsonb: a string, or a text with sealed IDs, shown masked.
    const rows: { seq: number; at: Date; actor: CaseComment['actor']; text: unknown }[] = await this.dataSource.query(
      `SELECT seq, at, actor, payload->'text' AS text FROM case_history WHERE case_id = $1 AND event_type = $2 ORDER BY seq`,
      [caseId, COMMENT_EVENT],
    );
    return rows.map((r) => ({ seq: r.seq, at: r.at, actor: { kind: r.actor.kind, id: r.actor.id, username: r.actor.username }, text: String(shownText(r.text)) }));
  }
}
