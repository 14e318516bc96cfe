import { applyAction, restore, replayEvent } from '../../../src/engine/case-transition.js';
import { EngineException, EngineExceptionCode } from '../../../src/engine/engine.exception.js';
import { replayHistory, type RecordedEvent } from '../../../src/engine/history-replay.js';
import type { ActEvent, Actor, CompiledWorkflow } from '../../../src/engine/workflow-machine.js';
import {
  CaseDriver,
  DAY,
  appraisal,
  approver,
  disasterStartData,
  eligibleProposal,
  entryStartData,
  exitProposal,
  exitStartData,
  officer,
  plus,
  reviewer,
  supportPlan,
  system,
} from '../../support/engine-fixtures.js';
import { loadSeedWorkflow, type SeedWorkflowKey } from '../../support/seed-workflows.js';

/** One action of a scripted path; `after` is the time since the previous action (one day by default). */
interface Move {
  actor: Actor;
  action: string;
  input?: Record<string, unknown>;
  step?: string;
  after?: number;
  params?: Record<string, unknown>;
  comment?: string;
}

interface Path {
  key: SeedWorkflowKey;
  data: Record<string, unknown>;
  params?: Record<string, unknown>;
  moves: Move[];
  finalStatus: string;
}

const NOTICE = 7 * DAY;
const plan = { pairedUnit: '台山市农业局', responsiblePerson: '黄志强' };

/** Long paths through each procedure, taking every return path on the way. */
const PATHS: Path[] = [
  {
    key: 'poverty-entry',
    data: entryStartData(),
    finalStatus: 'registered',
    moves: [
      { actor: officer, action: 'submit', input: eligibleProposal() },
      { actor: officer, action: 'return', input: { reason: '补充材料' }, comment: '缺收入证明' },
      { actor: officer, action: 'submit', input: eligibleProposal({ perCapitaIncome: 4700 }) },
      { actor: officer, action: 'submit', input: supportPlan() },
      { actor: officer, action: 'return', input: { reason: '调整措施' } },
      { actor: officer, action: 'submit', input: supportPlan({ measures: ['education'] }) },
      { actor: officer, action: 'record', input: appraisal(10) },
      { actor: officer, action: 'submit', input: supportPlan() },
      { actor: officer, action: 'record', input: appraisal(45) },
      { actor: reviewer, action: 'return', input: { reason: '补充成员信息' }, after: 3 * DAY },
      { actor: officer, action: 'submit', input: eligibleProposal(), params: { povertyLine: 6600 } },
      { actor: officer, action: 'submit', input: supportPlan() },
      { actor: officer, action: 'record', input: appraisal(45) },
      { actor: reviewer, action: 'approve', input: { opinion: '属实' } },
      { actor: approver, action: 'return', input: { reason: '复核' } },
      { actor: reviewer, action: 'approve', input: {} },
      { actor: approver, action: 'approve', input: {} },
      { actor: officer, action: 'object', input: { objection: '异议一', objector: '村民甲' }, after: 2 * DAY },
      { actor: officer, action: 'dismiss', input: { finding: '不成立' } },
      { actor: system, action: 'object', input: { objection: '网上异议' }, after: 3 * DAY },
      { actor: officer, action: 'uphold', input: { finding: '成立' } },
      { actor: officer, action: 'record', input: appraisal(45) },
      { actor: reviewer, action: 'approve', input: {} },
      { actor: approver, action: 'approve', input: {} },
      { actor: system, action: 'conclude', after: NOTICE },
    ],
  },
  {
    key: 'poverty-exit',
    data: exitStartData(),
    finalStatus: 'exited',
    moves: [
      { actor: officer, action: 'submit', input: exitProposal(), params: { ruralMeanIncome: 16000 } },
      { actor: officer, action: 'return', input: { reason: '核实收入' } },
      { actor: officer, action: 'submit', input: exitProposal({ perCapitaIncome: 9500 }) },
      { actor: officer, action: 'submit', input: plan },
      { actor: officer, action: 'record', input: appraisal(20) },
      { actor: officer, action: 'submit', input: { ...plan, followUpPlan: '继续就业帮扶' } },
      { actor: officer, action: 'record', input: appraisal(40) },
      { actor: reviewer, action: 'return', input: { reason: '评议记录不全' } },
      { actor: officer, action: 'record', input: appraisal(41) },
      { actor: reviewer, action: 'approve', input: {} },
      { actor: system, action: 'object', input: { objection: '仍有困难' } },
      { actor: officer, action: 'dismiss', input: { finding: '不成立' } },
      { actor: system, action: 'conclude', after: NOTICE },
      { actor: officer, action: 'resumeSupport', input: { reason: '因病返贫' }, after: 90 * DAY },
      { actor: officer, action: 'submit', input: plan },
      { actor: officer, action: 'record', input: appraisal(40) },
      { actor: reviewer, action: 'approve', input: {} },
      { actor: officer, action: 'object', input: { objection: '异议' } },
      { actor: officer, action: 'uphold', input: { finding: '成立' } },
      { actor: officer, action: 'record', input: appraisal(40) },
      { actor: reviewer, action: 'approve', input: {} },
      { actor: officer, action: 'conclude', after: NOTICE, params: { noticePeriodDays: 7 } },
      { actor: officer, action: 'endMonitoring', input: { note: '帮扶期满' }, after: 365 * DAY },
    ],
  },
  {
    key: 'disaster-reentry',
    data: disasterStartData(),
    finalStatus: 'includedInPlan',
    moves: [
      { actor: reviewer, action: 'confirm', step: 'landConfirm', input: { opinion: '房屋损毁属实' } },
      { actor: reviewer, action: 'confirm', step: 'meteorologyConfirm', input: { opinion: '台风过境' }, after: 2 * DAY },
      { actor: reviewer, action: 'confirm', step: 'agricultureConfirm', input: { opinion: '鱼塘受损' } },
      { actor: reviewer, action: 'confirm', step: 'civilAffairsConfirm', input: { opinion: '属实' }, after: 3 * DAY },
      { actor: officer, action: 'submit', input: { perCapitaIncome: 3000, application: '申请重新纳入' } },
      { actor: reviewer, action: 'return', input: { reason: '补充收入证明' } },
      { actor: officer, action: 'submit', input: { perCapitaIncome: 2800, application: '已补充' } },
      { actor: reviewer, action: 'approve', input: {} },
      { actor: approver, action: 'return', input: { reason: '请复核' } },
      { actor: reviewer, action: 'approve', input: { opinion: '复核属实' } },
      { actor: approver, action: 'approve', input: { planYear: 2017 } },
    ],
  },
];

function play(path: Path, moves: Move[] = path.moves): CaseDriver {
  const c = CaseDriver.start(loadSeedWorkflow(path.key), path.data, path.params ? { params: path.params } : {});
  for (const move of moves) {
    c.act(move.actor, move.action, move.input ?? {}, {
      now: plus(c.now, move.after ?? DAY),
      ...(move.step ? { step: move.step } : {}),
      ...(move.params ? { params: move.params } : {}),
      ...(move.comment !== undefined ? { comment: move.comment } : {}),
    });
  }
  return c;
}

/** What a cases service reads back from its history table. */
const fromStorage = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function requestFor(c: CaseDriver, move: Move) {
  return c.request(move.actor, move.action, move.input ?? {}, {
    now: plus(c.now, move.after ?? DAY),
    ...(move.step ? { step: move.step } : {}),
    ...(move.params ? { params: move.params } : {}),
    ...(move.comment !== undefined ? { comment: move.comment } : {}),
  });
}

describe.each(PATHS.map((path) => [path.key, path] as const))('replaying a long %s history', (_key, path) => {
  const workflow: CompiledWorkflow = loadSeedWorkflow(path.key);
  const c = play(path);

  it('ends where the path is meant to end', () => {
    expect(c.last.status).toBe(path.finalStatus);
    expect(c.snapshot.status).toBe('done');
    expect(c.history).toHaveLength(path.moves.length + 1);
  });

  it('records the CaseInput as the start and each accepted event as an action', () => {
    expect(c.history[0]).toEqual({
      eventType: 'started',
      payload: { data: path.data, jurisdiction: '440781001001', now: '2016-09-01T01:00:00.000Z' },
    });
    const first = c.history[1].payload as ActEvent;
    expect(first).toMatchObject({
      type: `${first.step}.${path.moves[0].action}`,
      action: path.moves[0].action,
      input: path.moves[0].input ?? {},
      actor: path.moves[0].actor,
      now: '2016-09-02T01:00:00.000Z',
    });
  });

  it('reproduces the stored snapshot exactly from the history alone', () => {
    const replayed = replayHistory(workflow, fromStorage(c.history));
    expect(fromStorage(replayed)).toEqual(fromStorage(c.snapshot));
    expect(JSON.stringify(replayed)).toBe(JSON.stringify(c.snapshot));
  });

  it('reproduces the snapshot stored after every event from the history up to it', () => {
    const history = fromStorage(c.history);
    for (let i = 1; i <= history.length; i++) {
      expect(fromStorage(replayHistory(workflow, history.slice(0, i)))).toEqual(c.snapshots[i - 1]);
    }
  });

  it('skips history rows that do not change the state', () => {
    const noisy: RecordedEvent[] = c.history.flatMap((row, i) => [
      row,
      { eventType: 'comment', payload: { text: `备注 ${i}` } },
      { eventType: 'reminder', payload: { step: 'propose', entry: 1 } },
      { eventType: 'claimed', payload: null },
    ]);
    expect(fromStorage(replayHistory(workflow, fromStorage(noisy)))).toEqual(c.snapshot);
  });

  it('continues a snapshot restored from JSON (stored or replayed) exactly like the original', () => {
    for (let i = 0; i < path.moves.length; i++) {
      const original = c.snapshots[i];
      const stored = fromStorage(original);
      const replayed = replayHistory(workflow, fromStorage(c.history.slice(0, i + 1)));
      const at = play(path, path.moves.slice(0, i));
      const request = requestFor(at, path.moves[i]);

      const expected = applyAction(workflow, original, request);
      expect(applyAction(workflow, stored, request)).toEqual(expected);
      expect(applyAction(workflow, replayed, request)).toEqual(expected);
      // …and all of them agree with how the case actually went on.
      expect(expected.snapshot).toEqual(c.snapshots[i + 1]);
      expect(expected.event).toEqual(c.history[i + 1].payload);
    }
  });

  it('gives the same snapshot, effects, status and steps when a stored event is replayed as when it was first applied', () => {
    c.history.slice(1).forEach((row, i) => {
      const again = replayEvent(workflow, restore(workflow, fromStorage(c.snapshots[i])), fromStorage(row.payload) as ActEvent);
      const { event: _event, ...first } = c.results[i + 1] as typeof c.results[number] & { event?: ActEvent };
      expect(again).toEqual(first);
    });
  });
});

describe('replayHistory', () => {
  const entry = loadSeedWorkflow('poverty-entry');
  const exit = loadSeedWorkflow('poverty-exit');
  const entryPath = PATHS[0];

  it('uses the time recorded in each event, not the time of the replay', () => {
    const c = play(entryPath, entryPath.moves.slice(0, 18)); // at the public notice's objection
    const history = fromStorage(c.history);
    const replayed = replayHistory(entry, history);
    expect(replayed.context.enteredAt).toEqual(c.snapshot.context.enteredAt);
    expect(replayed.context.enteredAt.objectionReview).toBe((history.at(-1)!.payload as ActEvent).now);
  });

  it('uses the params recorded in each event, so a guard that passed then still passes', () => {
    // Accepted only because the year's rural mean income was passed in with the event.
    const c = CaseDriver.start(exit, exitStartData({ rural: true }));
    c.act(officer, 'submit', exitProposal({ perCapitaIncome: 6000 }), { params: { ruralMeanIncome: 13000 } });
    expect(c.last.activeSteps).toEqual(['support']);
    expect(fromStorage(replayHistory(exit, fromStorage(c.history)))).toEqual(c.snapshot);
  });

  it('does not re-check who acted: what was allowed when it happened stays allowed', () => {
    const c = play(entryPath, entryPath.moves.slice(0, 3));
    const history = fromStorage(c.history);
    for (const row of history.slice(1)) (row.payload as ActEvent).actor = { kind: 'user', id: 'moved-away', roles: [] };
    expect(fromStorage(replayHistory(entry, history))).toEqual(c.snapshot);
  });

  it('refuses a history without a start', () => {
    const c = play(entryPath, entryPath.moves.slice(0, 2));
    expect(() => replayHistory(entry, [])).toThrow(expect.objectContaining({ code: EngineExceptionCode.REPLAY_MISMATCH }));
    expect(() => replayHistory(entry, [{ eventType: 'comment', payload: {} }])).toThrow(
      expect.objectContaining({ code: EngineExceptionCode.REPLAY_MISMATCH }),
    );
    expect(() => replayHistory(entry, fromStorage(c.history.slice(1)))).toThrow(
      expect.objectContaining({ code: EngineExceptionCode.REPLAY_MISMATCH, message: expect.stringMatching(/before the case started/) }),
    );
  });

  it('refuses an event the case could not have taken at that point', () => {
    const c = play(entryPath, entryPath.moves.slice(0, 1)); // at support
    const history = fromStorage(c.history);
    const proposeAgain = history[1]; // propose.submit, but the case is at support now
    let caught: unknown;
    try {
      replayHistory(entry, [...history, proposeAgain]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EngineException);
    expect(caught).toMatchObject({ code: EngineExceptionCode.NO_TRANSITION, details: { step: 'propose', action: 'submit' } });
  });
});
