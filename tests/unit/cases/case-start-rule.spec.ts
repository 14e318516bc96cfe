import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mayStart, placementLevel, startRefusal, type Starter } from '../../../src/cases/case-start-rule.js';
import { startableWorkflows } from '../../../src/cases/startable-workflows.js';
import { workflowsDirectory } from '../../../src/definitions/definitions.service.js';
import { loadDefinition } from '../../../src/engine/definition-validator.js';
import type { Role } from '../../../src/engine/workflow-definition.js';
import { compileWorkflow, type CompiledWorkflow } from '../../../src/engine/workflow-machine.js';
import { householdCaseStart } from '../../../src/households/household-case-starts.js';

/** The shipped workflows, compiled as the API compiles them, by key. */
const shipped = new Map<string, CompiledWorkflow>(
  readdirSync(workflowsDirectory())
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => {
      const { definition } = loadDefinition(readFileSync(join(workflowsDirectory(), file), 'utf8'), file, 'yaml');
      if (!definition) throw new Error(`workflows/${file} does not load`);
      return [definition.key, compileWorkflow(definition)] as const;
    }),
);
const workflow = (key: string) => shipped.get(key)!;
const as = (roles: Role[], jurisdictionCode: string): Starter => ({ roles, jurisdictionCode });

const DUANFEN = '440781109'; // 台山市端芬镇
const DUANFEN_VILLAGE = '440781109201';
const TAISHAN = '440781';
const CITY = '440700';

describe('who may start a case, and where', () => {
  it('needs the start’s role, bound to a node of the start’s level', () => {
    const entry = workflow('poverty-entry').definition.start;
    expect(mayStart(entry, as(['officer'], DUANFEN))).toBe(true);
    expect(mayStart(entry, as(['officer'], TAISHAN))).toBe(false); // an officer of the county
    expect(mayStart(entry, as(['officer'], DUANFEN_VILLAGE))).toBe(false); // of a village
    expect(mayStart(entry, as(['reviewer'], DUANFEN))).toBe(false);
    const interview = workflow('accountability-interview').definition.start;
    expect(mayStart(interview, as(['supervisor'], CITY))).toBe(true);
    expect(mayStart(interview, as(['supervisor'], TAISHAN))).toBe(false);
    expect(mayStart(interview, as(['auditor'], CITY))).toBe(false);
  });

  it('places a case no higher than the deepest level its steps act at', () => {
    expect(placementLevel(workflow('poverty-entry'))).toBe('town');
    expect(placementLevel(workflow('disaster-reentry'))).toBe('town'); // the parallel confirmations are the county's
    expect(placementLevel(workflow('accountability-interview'))).toBe('county');
    expect(placementLevel(workflow('rectification'))).toBe('county');
  });

  it.each<[string, string, Starter, string, string | undefined]>([
    ['an officer in their town', 'poverty-entry', as(['officer'], DUANFEN), DUANFEN, undefined],
    ['an officer in a village of their town', 'poverty-entry', as(['officer'], DUANFEN), DUANFEN_VILLAGE, undefined],
    ['an officer in another town', 'poverty-entry', as(['officer'], DUANFEN), '440781100', 'INVALID_JURISDICTION'],
    ['an officer with a code that is no division code', 'poverty-entry', as(['officer'], DUANFEN), '4407811', 'INVALID_JURISDICTION'],
    ['a reviewer of the county in the town', 'poverty-entry', as(['reviewer'], TAISHAN), DUANFEN, 'START_NOT_ALLOWED'],
    ['the city supervisor in a county', 'accountability-interview', as(['supervisor'], CITY), TAISHAN, undefined],
    ['the city supervisor in a town', 'rectification', as(['supervisor'], CITY), DUANFEN, undefined],
    ['the city supervisor in the city: the county’s steps would go to nobody', 'rectification', as(['supervisor'], CITY), CITY, 'INVALID_JURISDICTION'],
    ['a county supervisor', 'rectification', as(['supervisor'], TAISHAN), TAISHAN, 'START_NOT_ALLOWED'],
  ])('%s', (_what, key, user, jurisdiction, refused) => {
    expect(startRefusal(workflow(key), user, jurisdiction)?.code).toBe(refused);
  });
});

describe('startableWorkflows', () => {
  const newest = [...shipped.values()].map((compiled) => ({ version: compiled.definition.version, compiled }));
  const keys = (user: Starter) => startableWorkflows(newest, user, householdCaseStart).map((w) => w.key);

  it('lists what each user may start, by the same rule', () => {
    expect(keys(as(['officer'], DUANFEN))).toEqual(['disaster-reentry', 'objection-investigation', 'poverty-entry', 'poverty-exit']);
    expect(keys(as(['supervisor'], CITY))).toEqual(['accountability-interview', 'rectification']);
    expect(keys(as(['supervisor'], TAISHAN))).toEqual([]);
    expect(keys(as(['reviewer'], TAISHAN))).toEqual([]);
    expect(keys(as(['auditor'], CITY))).toEqual([]);
    expect(keys(as(['officer'], DUANFEN_VILLAGE))).toEqual([]);
  });

  it('gives the start form in the author’s order, where the case goes, the household file’s part and the callers', () => {
    const officer = startableWorkflows(newest, as(['officer'], DUANFEN), householdCaseStart);
    const investigation = officer.find((w) => w.key === 'objection-investigation')!;
    expect(Object.keys(investigation.start.fields)).toEqual(['householdName', 'objection', 'objector', 'reviewFinding']);
    expect(investigation).toMatchObject({ version: 1, jurisdiction: { level: 'town', required: false }, household: null });
    expect(investigation.calledBy).toEqual([{ key: 'poverty-entry', label: '贫困户识别（建档立卡）', labelEn: expect.any(String) }]);
    expect(officer.find((w) => w.key === 'poverty-exit')!.household).toEqual({
      statuses: ['registered', 'reentered'],
      fromFile: ['householdName', 'rural', 'memberCount', 'entryCaseId', 'householderId'],
    });
    expect(officer.find((w) => w.key === 'poverty-entry')!.calledBy).toEqual([]);

    const [interview] = startableWorkflows(newest, as(['supervisor'], CITY), householdCaseStart);
    expect(interview).toMatchObject({ key: 'accountability-interview', jurisdiction: { level: 'county', required: true }, household: null });
    expect(Object.keys(interview.start.fields)).toEqual(['unitCode', 'unitName', 'reason', 'subjectCaseId', 'subjectTitle']);
  });
});
