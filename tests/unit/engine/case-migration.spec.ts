import { applyAction } from '../../../src/engine/case-transition.js';
import { mappingProblems, planMigration, type MigrationPlan } from '../../../src/engine/case-migration.js';
import { replayHistory, type RecordedEvent } from '../../../src/engine/history-replay.js';
import type { WorkflowDefinition } from '../../../src/engine/workflow-definition.js';
import { compileWorkflow, type CompiledWorkflow } from '../../../src/engine/workflow-machine.js';
import {
  CaseDriver,
  DAY,
  appraisal,
  approver,
  DEPARTMENT_STEPS,
  disasterStartData,
  eligibleProposal,
  entryStartData,
  officer,
  plus,
  reviewer,
  START,
  supportPlan,
} from '../../support/engine-fixtures.js';
import { loadSeedDefinition, loadSeedWorkflow } from '../../support/seed-workflows.js';

const entry = loadSeedWorkflow('poverty-entry');

/** The next version of poverty-entry (the seed is version 3), changed by `edit`. */
function nextEntry(edit: (definition: WorkflowDefinition) => void): CompiledWorkflow {
  const definition = loadSeedDefinition('poverty-entry');
  definition.version = 4;
  edit(definition);
  return compileWorkflow(definition);
}

/** A poverty-entry case at the support step (proposed a day after it started). */
function atSupport(): CaseDriver {
  const driver = CaseDriver.start(entry, entryStartData());
  driver.act(officer, 'submit', eligibleProposal());
  return driver;
}

function planned(from: CompiledWorkflow, to: CompiledWorkflow, driver: CaseDriver, mapping: Record<string, string> = {}): MigrationPlan {
  const verdict = planMigration(from, to, driver.snapshot, mapping);
  if (!verdict.ok) throw new Error(verdict.reason);
  return verdict.plan;
}

function refusal(from: CompiledWorkflow, to: CompiledWorkflow, driver: CaseDriver, mapping: Record<string, string> = {}): string {
  const verdict = planMigration(from, to, driver.snapshot, mapping);
  if (verdict.ok) throw new Error('expected a refusal');
  return verdict.reason;
}

/** Renames the support step to `supportPlan` everywhere it is named. */
const renameSupport = (d: WorkflowDefinition) => {
  d.steps.supportPlan = d.steps.support;
  delete d.steps.support;
  d.steps.propose.actions!.submit.target = 'supportPlan';
  d.steps.appraisal.actions!.record.branches![1].target = 'supportPlan';
  d.steps.appraisal.actions!.return.target = 'supportPlan';
};

describe('planMigration: a task step', () => {
  it('keeps the task of a step whose key, role and level stay, and carries the new deadline settings', () => {
    const driver = atSupport();
    const to = nextEntry((d) => {
      d.steps.support.deadline!.duration = '15wd';
    });
    const plan = planned(entry, to, driver);
    expect(plan.steps).toEqual([
      {
        from: { step: 'support', entry: 1 },
        to: { step: 'support', entry: 1 },
        task: 'kept',
        role: 'officer',
        level: 'town',
        enteredAt: plus(START, DAY).toISOString(),
        deadline: { before: entry.steps.get('support')!.definition.deadline, after: to.steps.get('support')!.definition.deadline },
      },
    ]);
    expect(plan.snapshot).toEqual(driver.snapshot);
    expect(plan).toMatchObject({ status: 'active', activeSteps: ['support'], pausedClocks: [] });
  });

  it('moves the task of a renamed step to a new visit of the new key, keeping the time the visit began', () => {
    const driver = atSupport();
    const to = nextEntry(renameSupport);
    const plan = planned(entry, to, driver, { support: 'supportPlan' });
    expect(plan.steps).toEqual([expect.objectContaining({ from: { step: 'support', entry: 1 }, to: { step: 'supportPlan', entry: 1 }, task: 'moved' })]);
    expect(plan.snapshot.value).toBe('supportPlan');
    expect(plan.snapshot.context.entries).toEqual({ propose: 1, support: 1, supportPlan: 1 });
    expect(plan.snapshot.context.enteredAt.supportPlan).toBe(plus(START, DAY).toISOString());
    // The migrated case runs on the new version: the support plan goes on to the appraisal.
    const next = applyAction(to, plan.snapshot, { action: 'submit', input: supportPlan(), actor: officer, now: plus(START, 3 * DAY) });
    expect(next.activeSteps).toEqual(['appraisal']);
    expect(next.effects).toContainEqual({ type: 'closeTask', step: 'supportPlan', entry: 1, outcome: 'submit' });
  });

  it('reassigns the task of a step whose role or level changed, as a new visit of the step', () => {
    const driver = atSupport();
    const to = nextEntry((d) => {
      d.steps.support.role = 'reviewer';
      d.steps.support.level = 'county';
    });
    const plan = planned(entry, to, driver);
    expect(plan.steps).toEqual([
      expect.objectContaining({
        from: { step: 'support', entry: 1 },
        to: { step: 'support', entry: 2 },
        task: 'reassigned',
        role: 'reviewer',
        level: 'county',
        previous: { role: 'officer', level: 'town' },
      }),
    ]);
    expect(plan.snapshot.context.entries.support).toBe(2);
    const next = applyAction(to, plan.snapshot, { action: 'submit', input: supportPlan(), actor: reviewer, now: plus(START, 3 * DAY) });
    expect(next.activeSteps).toEqual(['appraisal']);
  });

  it('refuses a step the new version does not have unless the mapping names one', () => {
    const driver = atSupport();
    const to = nextEntry(renameSupport);
    expect(refusal(entry, to, driver)).toBe("step 'support' (精准扶持) has no counterpart in version 4: map it to a step of that version");
  });

  it('refuses to move a task step onto a final step', () => {
    expect(refusal(entry, nextEntry(() => {}), atSupport(), { support: 'registered' })).toBe(
      "step 'support' is a task step but 'registered' in version 4 is a final step: a running case only moves to a step of the same kind",
    );
  });

  it('refuses a countersign whose rule changed', () => {
    const driver = atSupport();
    driver.act(officer, 'submit', supportPlan());
    driver.act(officer, 'record', { meetingDate: '2016-09-20', attendance: 50, votesFor: 40, votesAgainst: 10, minutes: '评议' });
    expect(driver.snapshot.value).toBe('countyReview');
    const to = nextEntry((d) => {
      d.steps.countyReview.countersign = { mode: 'any', approve: 'approve', reject: 'return' };
    });
    expect(refusal(entry, to, driver)).toBe("the countersign of step 'countyReview' changed (all → any): votes already cast would be counted under another rule");
  });

  it('refuses a finished case', () => {
    const driver = CaseDriver.start(entry, entryStartData());
    driver.act(officer, 'cancel', { reason: '户主迁出' });
    expect(refusal(entry, nextEntry(() => {}), driver)).toBe('the case has finished');
  });

  it('moves a clock paused by a return with its step, and drops it (saying so) when the new version has no such step', () => {
    const driver = atSupport();
    driver.act(officer, 'return', { reason: '收入数据有误' });
    expect(driver.snapshot.context.pausedClocks).toEqual({ support: 1 });

    const renamed = planned(entry, nextEntry(renameSupport), driver, { support: 'supportPlan' });
    expect(renamed.pausedClocks).toEqual([
      { from: { step: 'support', entry: 1 }, to: { step: 'supportPlan', entry: 1 }, deadline: { before: entry.steps.get('support')!.definition.deadline, after: entry.steps.get('support')!.definition.deadline } },
    ]);
    expect(renamed.snapshot.context.pausedClocks).toEqual({ supportPlan: 1 });

    const noDeadline = planned(entry, nextEntry((d) => delete d.steps.support.deadline), driver);
    expect(noDeadline.pausedClocks).toEqual([
      {
        from: { step: 'support', entry: 1 },
        deadline: { before: entry.steps.get('support')!.definition.deadline },
        dropped: "the clock paused by a return in step 'support' is dropped: step 'support' of version 4 has no deadline",
      },
    ]);
    expect(noDeadline.snapshot.context.pausedClocks).toBeUndefined();
  });
});

describe('planMigration: parallel steps', () => {
  const disaster = loadSeedWorkflow('disaster-reentry');
  const nextDisaster = (edit: (d: WorkflowDefinition) => void) => {
    const definition = loadSeedDefinition('disaster-reentry');
    definition.version = 3;
    edit(definition);
    return compileWorkflow(definition);
  };
  const started = () => CaseDriver.start(disaster, disasterStartData());

  it('maps the steps of each region within the same region', () => {
    const driver = started();
    const to = nextDisaster((d) => {
      const region = d.steps.confirmation.regions!.land;
      region.steps.landSurvey = region.steps.landConfirm;
      delete region.steps.landConfirm;
      region.initial = 'landSurvey';
    });
    const plan = planned(disaster, to, driver, { landConfirm: 'landSurvey' });
    expect(plan.snapshot.value).toEqual({
      confirmation: { agriculture: 'agricultureConfirm', meteorology: 'meteorologyConfirm', civilAffairs: 'civilAffairsConfirm', land: 'landSurvey' },
    });
    expect(plan.steps.map((s) => [s.from.step, s.to.step, s.task])).toEqual([
      ...DEPARTMENT_STEPS.slice(0, 3).map((step) => [step, step, 'kept']),
      ['landConfirm', 'landSurvey', 'moved'],
    ]);
  });

  it('refuses a case inside a parallel step whose regions changed', () => {
    const to = nextDisaster((d) => {
      delete d.steps.confirmation.regions!.land;
    });
    expect(refusal(disaster, to, started())).toBe(
      "the regions of parallel step 'confirmation' changed (version 2: agriculture, civilAffairs, land, meteorology; version 3: agriculture, civilAffairs, meteorology): a case inside it cannot be moved",
    );
  });

  it('refuses to move a step into another region; names what a mapping gets wrong', () => {
    const driver = started();
    const to = nextDisaster(() => {});
    expect(refusal(disaster, to, driver, { landConfirm: 'meteorologyConfirm' })).toBe(
      "step 'landConfirm' is in region 'land' of parallel step 'confirmation' in version 2 but 'meteorologyConfirm' is in region 'meteorology' of parallel step 'confirmation' in version 3: a step maps to a step in the same place",
    );
    expect(mappingProblems(disaster, to, { landConfirm: 'nowhere', ghost: 'landConfirm' })).toEqual([
      "mapping: version 3 has no step 'nowhere' (for 'landConfirm')",
      "mapping: version 2 has no step 'ghost'",
    ]);
  });
});

describe('replayHistory across a migration', () => {
  it('replays on the old version up to the migrated event and on the new one after it', () => {
    const driver = atSupport();
    const to = nextEntry(renameSupport);
    const mapping = { support: 'supportPlan' };
    const plan = planned(entry, to, driver, mapping);
    const migrated: RecordedEvent = {
      eventType: 'definition',
      action: 'migrated',
      payload: { from: { definitionId: 'v3', version: 3 }, to: { definitionId: 'v4', version: 4 }, mapping },
    };
    const after = applyAction(to, plan.snapshot, { action: 'submit', input: supportPlan(), actor: officer, now: plus(START, 3 * DAY) });
    const history = [...driver.history, migrated, { eventType: 'action', payload: after.event }];
    const lookup = (id: string) => ({ v3: entry, v4: to })[id];

    expect(replayHistory(to, history, lookup)).toEqual(after.snapshot);
    // Without the versions it names, the history cannot be replayed: said, not guessed.
    expect(() => replayHistory(to, history)).toThrow('The history names definition v3, which is not available to replay it');
  });
});

describe('planMigration: a call step waiting for its case', () => {
  /** A poverty-entry case whose objection is under investigation (a case of objection-investigation). */
  function investigating(): CaseDriver {
    const driver = atSupport();
    driver.act(officer, 'submit', supportPlan());
    driver.act(officer, 'record', appraisal(45));
    driver.act(reviewer, 'approve', {});
    driver.act(approver, 'approve', {});
    driver.act(officer, 'object', { objection: '该户有经营性收入未申报' });
    driver.act(officer, 'investigate', { finding: '需入户核实' });
    expect(driver.snapshot.value).toBe('investigation');
    return driver;
  }

  it('keeps the step visit the called case will report to, with the new deadline settings', () => {
    const driver = investigating();
    const to = nextEntry((d) => {
      d.steps.investigation.deadline!.duration = '30wd';
    });
    const plan = planned(entry, to, driver);
    expect(plan.steps).toEqual([
      {
        from: { step: 'investigation', entry: 1 },
        to: { step: 'investigation', entry: 1 },
        enteredAt: driver.now.toISOString(),
        deadline: { before: entry.steps.get('investigation')!.definition.deadline, after: to.steps.get('investigation')!.definition.deadline },
      },
    ]);
    expect(plan.snapshot).toEqual(driver.snapshot);
  });

  it('refuses to rename it or to make it call another workflow', () => {
    const driver = investigating();
    const renamed = nextEntry((d) => {
      d.steps.inquiry = d.steps.investigation;
      delete d.steps.investigation;
      d.steps.objectionReview.actions!.investigate.target = 'inquiry';
    });
    expect(refusal(entry, renamed, driver, { investigation: 'inquiry' })).toBe("the case waits in call step 'investigation' for the case it called: a waiting call step keeps its key");
    const other = nextEntry((d) => {
      d.steps.investigation.call!.workflow = 'rectification';
    });
    expect(refusal(entry, other, driver)).toBe("the case waits in call step 'investigation' for a case of 'objection-investigation', but version 4 calls 'rectification' there");
  });
});
