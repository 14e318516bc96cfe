import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { CalendarService } from '../deadlines/calendar.service.js';
import { followStepClocks, overdueStep, overdueSteps, type OverdueStep } from '../deadlines/step-clocks.js';
import { activeSteps, type PersistedCaseSnapshot } from '../engine/case-transition.js';
import type { DeadlineDefinition } from '../engine/workflow-definition.js';
import { replayOnDefinition, stateOf, type CaseState, type NumberedEvent } from '../engine/what-if.js';
import { compileWorkflow, type CompiledWorkflow } from '../engine/workflow-machine.js';
import type { SourceFormat } from './definition-formats.js';
import { DefinitionDraftsService } from './definition-drafts.service.js';
import { DefinitionException, DefinitionExceptionCode } from './definition.exception.js';
import { DefinitionsService } from './definitions.service.js';

/** Cases read per query: their rows and histories together. */
const WHAT_IF_PAGE = 200;

export interface WhatIfRequest {
  /** A definition to try instead of the key's stored draft. */
  source?: string;
  format?: SourceFormat;
  /** Default: every case of the workflow, of any version, running or finished. */
  caseIds?: string[];
}

export interface WhatIfCase {
  caseId: string;
  title: string | null;
  /** The version the case runs on; null for an id that names no case. */
  version: number | null;
  outcome: 'same' | 'different' | 'refused' | 'skipped';
  /** `different`: where the case stands now, and where it would stand under the draft. */
  now?: CaseState;
  draft?: CaseState;
  /** `refused`: the history row whose action the draft no longer allows, and why. */
  refusedAt?: { seq: number; step?: string; action?: string; code: string; reason: string };
  reason?: string;
  /**
   * The current steps overdue now: the due timers the engine holds for the case (what the
   * overdue list shows); and those the draft's deadlines would have given its replayed
   * history, paused clocks included.
   */
  overdueNow: OverdueStep[];
  overdueUnderDraft: OverdueStep[] | null;
}

export interface WhatIfReport {
  workflow: string;
  at: string;
  totals: { cases: number; same: number; different: number; refused: number; skipped: number; overdueNow: number; overdueUnderDraft: number };
  cases: WhatIfCase[];
}

/** A `due` timer of a case past its time (pending, or fired and the visit still open). */
interface DueRow {
  case_id: string;
  step: string;
  step_entry: number;
  due_at: Date;
  started_at: Date;
  remaining: number | null;
  settings: DeadlineDefinition;
}

interface CaseRead {
  id: string;
  title: string | null;
  workflow_key: string;
  definition_id: string;
  snapshot: PersistedCaseSnapshot;
}

/**
 * What-if before publishing (issue 5): replays the recorded history of existing cases on a
 * draft (src/engine/what-if.ts) and counts how many end elsewhere, would have been refused
 * on the way, or are overdue against now — now by the engine's own timers (the deadline
 * rows), under the draft by the timers its replayed transitions give (src/deadlines/
 * step-clocks.ts: the engine's computation, a clock paused for correction not counting the
 * time away). Reads only: not a row changes.
 */
@Injectable()
export class WhatIfService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly drafts: DefinitionDraftsService,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
  ) {}

  async run(key: string, request: WhatIfRequest): Promise<WhatIfReport> {
    const { source, format } = request.source !== undefined ? { source: request.source, format: request.format ?? 'yaml' } : await this.drafts.source(key);
    const { definition, issues } = await this.drafts.check(this.dataSource.manager, key, source, format);
    if (!definition) {
      throw new DefinitionException(`The draft of '${key}' has errors; fix them before trying it on cases`, DefinitionExceptionCode.INVALID_DEFINITION, { workflow: key, issues });
    }
    const draft = compileWorkflow(definition);
    const now = this.clock.now();
    const calendar = await this.calendars.current();
    const cases: WhatIfCase[] = [];
    for await (const { rows: page, missing } of this.pages(key, request.caseIds && [...new Set(request.caseIds)])) {
      for (const id of missing) cases.push({ caseId: id, title: null, version: null, outcome: 'skipped', reason: 'no such case', overdueNow: [], overdueUnderDraft: null });
      const histories = await this.histories(page.map((c) => c.id));
      const dueRows = await this.overdueTimers(page.map((c) => c.id), now);
      for (const row of page) {
        const current = await this.definitions.byId(row.definition_id);
        const overdueNow = currentVisits(current.compiled, row.snapshot, dueRows.get(row.id) ?? []);
        const base = { caseId: row.id, title: row.title, version: current.version, overdueNow };
        if (row.workflow_key !== key) {
          cases.push({ ...base, outcome: 'skipped', reason: `the case is of workflow '${row.workflow_key}'`, overdueUnderDraft: null });
          continue;
        }
        const replay = replayOnDefinition(draft, histories.get(row.id) ?? [], stateOf(current.compiled, row.snapshot));
        if (replay.outcome === 'refused') {
          const { outcome, ...refusedAt } = replay;
          cases.push({ ...base, outcome, refusedAt, overdueUnderDraft: null });
          continue;
        }
        const overdueUnderDraft = overdueSteps(draft, replay.snapshot, followStepClocks(replay.timeline, calendar), now);
        cases.push(replay.outcome === 'same' ? { ...base, outcome: 'same', overdueUnderDraft } : { ...base, outcome: 'different', now: replay.now, draft: replay.draft, overdueUnderDraft });
      }
    }
    const count = (outcome: WhatIfCase['outcome']) => cases.filter((c) => c.outcome === outcome).length;
    return {
      workflow: key,
      at: now.toISOString(),
      totals: {
        cases: cases.length,
        same: count('same'),
        different: count('different'),
        refused: count('refused'),
        skipped: count('skipped'),
        overdueNow: cases.filter((c) => c.overdueNow.length > 0).length,
        overdueUnderDraft: cases.filter((c) => (c.overdueUnderDraft?.length ?? 0) > 0).length,
      },
      cases,
    };
  }

  /** The cases asked for (in the order given, the ids of no case apart), or every case of the key, a page at a time. */
  private async *pages(key: string, caseIds: string[] | undefined): AsyncGenerator<{ rows: CaseRead[]; missing: string[] }> {
    const columns = `id, title, workflow_key, definition_id, snapshot`;
    if (caseIds) {
      for (let start = 0; start < caseIds.length; start += WHAT_IF_PAGE) {
        const ids = caseIds.slice(start, start + WHAT_IF_PAGE);
        const rows: CaseRead[] = await this.dataSource.query(`SELECT ${columns} FROM cases WHERE id = ANY($1::uuid[])`, [ids]);
        const byId = new Map(rows.map((r) => [r.id, r]));
        yield { rows: ids.flatMap((id) => byId.get(id) ?? []), missing: ids.filter((id) => !byId.has(id)) };
      }
      return;
    }
    let after: { created_at: Date; id: string } | undefined;
    for (;;) {
      const rows: (CaseRead & { created_at: Date })[] = await this.dataSource.query(
        `SELECT ${columns}, created_at FROM cases
          WHERE workflow_key = $1 AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
          ORDER BY created_at, id LIMIT ${WHAT_IF_PAGE}`,
        [key, after?.created_at ?? null, after?.id ?? null],
      );
      if (rows.length === 0) return;
      yield { rows, missing: [] };
      after = rows[rows.length - 1];
    }
  }

  /** The cases' `due` timers past their time, by case: pending, or fired (a fired row stays so after its visit ends). */
  private async overdueTimers(ids: string[], now: Date): Promise<Map<string, DueRow[]>> {
    const rows: DueRow[] = await this.dataSource.query(
      `SELECT case_id, step, step_entry, due_at, started_at, remaining, settings FROM deadlines
        WHERE case_id = ANY($1::uuid[]) AND kind = 'due' AND status IN ('pending', 'fired') AND due_at < $2`,
      [ids, now],
    );
    const byCase = new Map<string, DueRow[]>();
    for (const row of rows) byCase.set(row.case_id, [...(byCase.get(row.case_id) ?? []), row]);
    return byCase;
  }

  private async histories(ids: string[]): Promise<Map<string, NumberedEvent[]>> {
    const rows: { case_id: string; seq: number; event_type: string; action: string | null; payload: unknown }[] = await this.dataSource.query(
      `SELECT case_id, seq, event_type, action, payload FROM case_history
        WHERE case_id = ANY($1::uuid[]) AND event_type IN ('started', 'action') ORDER BY case_id, seq`,
      [ids],
    );
    const byCase = new Map<string, NumberedEvent[]>();
    for (const row of rows) {
      const events = byCase.get(row.case_id) ?? [];
      events.push({ seq: row.seq, eventType: row.event_type, action: row.action, payload: row.payload });
      byCase.set(row.case_id, events);
    }
    return byCase;
  }
}

/** The overdue timers of the step visits the case is in now, in the order of its current steps. */
function currentVisits(compiled: CompiledWorkflow, snapshot: PersistedCaseSnapshot, rows: DueRow[]): OverdueStep[] {
  if (snapshot.status !== 'active') return [];
  return activeSteps(compiled, snapshot).flatMap((step) => {
    const row = rows.find((r) => r.step === step && r.step_entry === snapshot.context.entries[step]);
    if (!row) return [];
    return [overdueStep(step, snapshot.context.enteredAt[step], row.settings, new Date(row.due_at), row.remaining === null ? null : { at: new Date(row.started_at), remaining: row.remaining })];
  });
}
