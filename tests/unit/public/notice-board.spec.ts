import { beijingDate, noticeSteps, objectionInput, proposalOf, PUBLIC_NOTICE_FIELDS, toPublicNotice } from '../../../src/public/notice-board.js';
import { compileWorkflow } from '../../../src/engine/workflow-machine.js';
import type { WorkflowDefinition } from '../../../src/engine/workflow-definition.js';
import { loadSeedWorkflow } from '../../support/seed-workflows.js';

describe('the notice steps of a definition', () => {
  it('are the task steps with an object action, found in the shipped procedures', () => {
    expect(noticeSteps(loadSeedWorkflow('poverty-entry'))).toEqual([{ step: 'publicNotice', objectAction: 'object' }]);
    expect(noticeSteps(loadSeedWorkflow('poverty-exit'))).toEqual([{ step: 'publicNotice', objectAction: 'object' }]);
    expect(noticeSteps(loadSeedWorkflow('disaster-reentry'))).toEqual([]);
  });

  it('are found whatever the step and action are called, inside parallel branches too', () => {
    const definition: WorkflowDefinition = {
      key: 'village-project',
      version: 1,
      label: '村级项目公示',
      start: { role: 'officer', level: 'town' },
      initial: 'both',
      steps: {
        both: {
          label: '并行',
          type: 'parallel',
          onDone: 'done',
          regions: {
            a: {
              initial: 'posted',
              steps: {
                posted: {
                  label: '张榜',
                  role: 'officer',
                  level: 'town',
                  actions: {
                    complain: { label: '异议', kind: 'object', allowSystem: true, target: 'aDone', fields: { reason: { type: 'text', label: '理由', required: true } } },
                    close: { label: '结束', kind: 'complete', target: 'aDone' },
                  },
                },
                aDone: { label: '完', type: 'final' },
              },
            },
          },
        },
        done: { label: '完成', type: 'final', status: 'done' },
      },
    };
    expect(noticeSteps(compileWorkflow(definition))).toEqual([{ step: 'posted', objectAction: 'complain' }]);
    expect(proposalOf(definition)).toBe('拟办理：村级项目公示');
  });
});

describe('what a notice proposes', () => {
  it('is said as a paper notice says it for the shipped procedures', () => {
    expect(proposalOf(loadSeedWorkflow('poverty-entry').definition)).toBe('拟纳入建档立卡贫困户');
    expect(proposalOf(loadSeedWorkflow('poverty-exit').definition)).toBe('拟退出贫困户');
  });
});

describe('the object action input from a citizen objection', () => {
  const action = loadSeedWorkflow('poverty-entry').definition.steps.publicNotice.actions!.object;

  it('puts the text in the text field and the name in the name field', () => {
    expect(objectionInput(action, { text: '该户家中有小轿车。', name: '王五' })).toEqual({ objection: '该户家中有小轿车。', objector: '王五' });
    expect(objectionInput(action, { text: '该户家中有小轿车。' })).toEqual({ objection: '该户家中有小轿车。' });
  });

  it('cuts a name to the length the field allows, counting characters', () => {
    expect(objectionInput(action, { text: 't', name: '名'.repeat(60) }).objector).toBe('名'.repeat(50));
  });

  it('passes a text with sealed resident IDs on sealed, cutting an ID at the end to part of its mask', () => {
    const id = { masked: '4407**********2412', token: 'v1.AAAA' };
    const text = { sealedText: ['户主身份证', id] };
    expect(objectionInput(action, { text }).objection).toBe(text);
    expect(objectionInput(action, { text: 't', name: { sealedText: ['名'.repeat(40), id] } }).objector).toBe(`${'名'.repeat(40)}4407******`);
  });
});

describe('a notice as the public sees it', () => {
  it('has exactly the allowed fields, dates in Beijing', () => {
    const notice = toPublicNotice({
      id: 'opaque',
      title: '陈大明',
      countyName: '台山市',
      townName: '端芬镇',
      villageName: '海阳村委会',
      proposal: '拟纳入建档立卡贫困户',
      openedAt: new Date('2026-03-01T17:00:00Z'), // 2 March, 01:00 in Beijing
      dueAt: new Date('2026-03-08T17:00:00Z'),
    });
    expect(Object.keys(notice).sort()).toEqual([...PUBLIC_NOTICE_FIELDS].sort());
    expect(notice).toEqual({
      id: 'opaque',
      householdName: '陈大明',
      town: '台山市端芬镇',
      village: '海阳村委会',
      proposal: '拟纳入建档立卡贫困户',
      period: { start: '2026-03-02', end: '2026-03-09' },
    });
    expect(beijingDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
  });
});
