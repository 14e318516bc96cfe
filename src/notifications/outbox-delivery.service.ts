import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { WorkflowLabels } from '../alerts/workflow-labels.js';
import { Clock } from '../common/clock.js';
import { jurisdictionAt } from '../engine/jurisdiction-code.js';
import type { Level, Role } from '../engine/workflow-definition.js';
import { shownText } from '../org/resident-id-text.js';
import { MailService } from './mail.service.js';
import { NotificationsService } from './notifications.service.js';
import { caseFinishedText, caseReturnedText } from './templates.js';

export type DeliveryOutcome = 'done' | 'skipped' | 'failed';

export interface DeliveryAttempt {
  /** 1 for the first try. */
  number: number;
  /** No retry follows this one: a failure now is recorded as final. */
  final: boolean;
}

interface OutboxRow {
  id: string;
  case_id: string | null;
  kind: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

interface CaseRow {
  id: string;
  title: string | null;
  jurisdiction_code: string;
  definition_id: string;
  created_by: string | null;
}

/** The longest SMTP error kept in last_error: enough for the reply, not for a novel. */
const LAST_ERROR_MAX = 2000;

/**
 * Thrown for a failed attempt that is not the last, so the BullMQ job fails and is retried
 * with backoff. The attempt is already recorded (attempts, last_error) when this is thrown.
 */
export class EmailAttemptFailedError extends Error {
  constructor(
    readonly emailId: string,
    readonly attempt: number,
    cause: unknown,
  ) {
    super(`Email ${emailId}: attempt ${attempt} failed: ${errorText(cause)}`, { cause });
    this.name = 'EmailAttemptFailedError';
  }
}

/**
 * Consumes one outbox row (the worker's BullMQ job calls deliver() with the row's id). Every
 * handler is idempotent — re-delivering a row, or delivering it late, changes nothing more —
 * and runs in one transaction of its own. Nothing here ever writes to a case: notifications
 * and mail are about cases, never part of them.
 */
@Injectable()
export class OutboxDeliveryService {
  private readonly logger = new Logger(OutboxDeliveryService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationsService,
    private readonly mail: MailService,
    private readonly labels: WorkflowLabels,
    private readonly clock: Clock,
  ) {}

  async deliver(outboxId: string, attempt: DeliveryAttempt): Promise<DeliveryOutcome> {
    // Outbox ids are bigserial; anything else cannot name a row (and would be a SQL error).
    if (!/^\d{1,19}$/.test(outboxId)) return this.skip(outboxId, 'not an outbox id');
    const [row]: OutboxRow[] = await this.dataSource.query(
      `SELECT id::text AS id, case_id, kind, payload, created_at FROM outbox WHERE id = $1`,
      [outboxId],
    );
    if (!row) return this.skip(outboxId, 'no such outbox row');
    switch (row.kind) {
      case 'sendEmail':
        return this.sendEmail(row, attempt);
      case 'notify':
        return this.dataSource.transaction((manager) => this.notify(manager, row));
      case 'caseFinished':
        return this.dataSource.transaction((manager) => this.caseFinished(manager, row));
      default:
        // startDeadline/cancelDeadline rows from before deadlines got their own table, or a
        // kind a newer release writes: not ours to act on, and retrying would not help.
        return this.skip(outboxId, `kind '${row.kind}' has no consumer here`);
    }
  }

  /**
   * Sends one email_deliveries row. The row is locked for the send, so a second delivery of
   * the same job (a stalled job handed to another worker) waits and then finds it sent. A
   * crash between the SMTP reply and the commit sends it again on the retry: mail is
   * at-least-once, like every side effect here.
   */
  private async sendEmail(row: OutboxRow, attempt: DeliveryAttempt): Promise<DeliveryOutcome> {
    const emailId = typeof row.payload.emailId === 'string' ? row.payload.emailId : undefined;
    if (!emailId || !isUuid(emailId)) return this.skip(row.id, 'sendEmail without a valid emailId');

    const result = await this.dataSource.transaction(async (manager): Promise<DeliveryOutcome | EmailAttemptFailedError> => {
      const [email] = await manager.query(
        `SELECT id, to_address, subject, body, status, attempts FROM email_deliveries WHERE id = $1 FOR UPDATE`,
        [emailId],
      );
      if (!email) return this.skip(row.id, `email ${emailId} does not exist`);
      if (email.status === 'sent') return 'skipped';
      try {
        await this.mail.send({ to: email.to_address, subject: email.subject, text: email.body });
      } catch (error) {
        const lastError = errorText(error).slice(0, LAST_ERROR_MAX);
        const now = this.clock.now();
        // Recorded in this transaction, which commits: the failure must outlive the throw below.
        await manager.query(
          `UPDATE email_deliveries
              SET attempts = attempts + 1, last_error = $2,
                  status = CASE WHEN $3 THEN 'failed' ELSE status END,
                  failed_at = CASE WHEN $3 THEN $4::timestamptz ELSE failed_at END
            WHERE id = $1`,
          [emailId, lastError, attempt.final, now],
        );
        if (attempt.final) {
          this.logger.warn(`Email ${emailId} to ${email.to_address} failed for good after attempt ${attempt.number}: ${lastError}`);
          return 'failed';
        }
        return new EmailAttemptFailedError(emailId, attempt.number, error);
      }
      // failed_at is cleared when a later delivery (a retry an administrator started) succeeds.
      await manager.query(
        `UPDATE email_deliveries SET status = 'sent', sent_at = $2, attempts = attempts + 1, failed_at = NULL WHERE id = $1`,
        [emailId, this.clock.now()],
      );
      return 'done';
    });
    // Thrown only after the commit, so the attempt stays recorded while BullMQ retries.
    if (result instanceof EmailAttemptFailedError) throw result;
    return result;
  }

  /** `{type:'notify', template, step, role?, level?}` from an action's effects. */
  private async notify(manager: EntityManager, row: OutboxRow): Promise<DeliveryOutcome> {
    const template = row.payload.template;
    if (template === 'case-finished') return this.caseFinished(manager, row);
    if (template !== 'case-returned') return this.skip(row.id, `notify template '${String(template)}' is unknown`);
    const kase = await this.loadCase(manager, row.case_id);
    if (!kase) return this.skip(row.id, `case ${row.case_id} does not exist`);
    const labels = await this.labels.forDefinition(manager, kase.definition_id);
    const fromStep = typeof row.payload.step === 'string' ? row.payload.step : '';

    // Who must act now: the holders of the role of each task open on the case at delivery
    // time, at the task's node. A late delivery therefore reaches whoever holds the case then.
    const tasks: { step: string; role: Role; jurisdiction_code: string }[] = await manager.query(
      `SELECT DISTINCT step, role, jurisdiction_code FROM tasks WHERE case_id = $1 AND status = 'open' ORDER BY step`,
      [kase.id],
    );
    const targets = tasks.map((t) => ({ role: t.role, node: t.jurisdiction_code }));
    // No open task (a parallel step, or tasks not written yet): fall back to the role and
    // level the effect itself names, when it names them.
    const role = row.payload.role as Role | undefined;
    const level = row.payload.level as Level | undefined;
    if (targets.length === 0 && role && level) {
      const node = jurisdictionAt(kase.jurisdiction_code, level);
      if (node) targets.push({ role, node });
    }

    // The return action itself (same case, step and instant as this row): its reason goes in
    // the message, and its actor is left out — they know, they just did it. Reason and comment
    // as jsonb: a text with sealed resident IDs is shown masked (the message is also mailed).
    const [action] = await manager.query(
      `SELECT actor_id, payload->'input'->'reason' AS reason, payload->'comment' AS comment
         FROM case_history
        WHERE case_id = $1 AND event_type = 'action' AND payload->>'step' = $2 AND at = $3
        ORDER BY seq DESC LIMIT 1`,
      [kase.id, fromStep, row.created_at],
    );
    const recipients = new Set<string>();
    for (const target of targets) {
      for (const id of await this.notifications.usersToNotify(manager, target.role, target.node)) recipients.add(id);
    }
    if (action?.actor_id) recipients.delete(action.actor_id);

    const text = caseReturnedText({
      title: kase.title,
      workflowLabel: labels.workflow,
      fromStep: labels.step(fromStep) ?? fromStep,
      toSteps: [...new Set(tasks.map((t) => labels.step(t.step) ?? t.step))],
      reason: plainText(action?.reason) ?? plainText(action?.comment),
    });
    await this.notifications.notify(manager, {
      recipients: [...recipients],
      caseId: kase.id,
      kind: 'case-returned',
      ...text,
      dedupKey: `outbox-${row.id}`,
      now: this.clock.now(),
    });
    return 'done';
  }

  /** `{type:'caseFinished', step, status}`: tell whoever started the case that it is done. */
  private async caseFinished(manager: EntityManager, row: OutboxRow): Promise<DeliveryOutcome> {
    const kase = await this.loadCase(manager, row.case_id);
    if (!kase) return this.skip(row.id, `case ${row.case_id} does not exist`);
    if (!kase.created_by) return 'skipped'; // started by the system (e.g. an escalation): nobody to tell
    const labels = await this.labels.forDefinition(manager, kase.definition_id);
    const step = typeof row.payload.step === 'string' ? row.payload.step : '';
    const status = typeof row.payload.status === 'string' ? row.payload.status : step;
    await this.notifications.notify(manager, {
      recipients: [kase.created_by],
      caseId: kase.id,
      kind: 'case-finished',
      ...caseFinishedText({ title: kase.title, workflowLabel: labels.workflow, finalStep: labels.step(step) ?? step, status }),
      dedupKey: `outbox-${row.id}`,
      now: this.clock.now(),
    });
    return 'done';
  }

  private async loadCase(manager: EntityManager, caseId: string | null): Promise<CaseRow | undefined> {
    if (!caseId) return undefined;
    const [kase] = await manager.query(
      `SELECT id, title, jurisdiction_code, definition_id, created_by FROM cases WHERE id = $1`,
      [caseId],
    );
    return kase;
  }

  private skip(outboxId: string, why: string): 'skipped' {
    this.logger.warn(`Outbox ${outboxId} skipped: ${why}`);
    return 'skipped';
  }
}

/** A stored free-text value as a message shows it: masked, or null when it is not text. */
function plainText(value: unknown): string | null {
  const shown = shownText(value);
  return typeof shown === 'string' ? shown : null;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** Nodemailer puts the server's reply in `response`; the message alone may not include it. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { response, responseCode, code } = error as Error & { response?: string; responseCode?: number; code?: string };
  const parts = [error.message];
  if (response && !error.message.includes(response)) parts.push(`(${response})`);
  if (code && !error.message.includes(code)) parts.push(`[${code}${responseCode ? ` ${responseCode}` : ''}]`);
  return parts.join(' ');
}
