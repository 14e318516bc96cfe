import {
  actionFields,
  presentResidentIds,
  resealText,
  sealedIdsIn,
  sealedPart,
  sealFreeText,
  sealResidentIds,
  sealStrings,
  sealText,
  withSealedPart,
} from '../../../src/cases/resident-id-sealing.js';
import { startCase } from '../../../src/engine/case-transition.js';
import { validateFormInput } from '../../../src/engine/form-input.js';
import type { FieldDefinition } from '../../../src/engine/workflow-definition.js';
import { compileWorkflow } from '../../../src/engine/workflow-machine.js';
import { ResidentIdCipher } from '../../../src/org/resident-id-cipher.js';
import { isSealedResidentId, type SealedResidentId } from '../../../src/org/resident-id.js';
import { isSealedText, maskedText, sealedIdsOf, type SealedText } from '../../../src/org/resident-id-text.js';

const cipher = new ResidentIdCipher(Buffer.alloc(32, 7));
const otherKey = new ResidentIdCipher(Buffer.alloc(32, 9));

const HEAD = '440781198003122412';
const SPOUSE = '440781198209173127';
const CHILD_X = '44078119910505104X';
const ID_RUN = /\d{17}[\dXx]/;

const FIELDS: Record<string, FieldDefinition> = {
  name: { type: 'string', label: '户主姓名' },
  householderId: { type: 'residentId', label: '户主身份证号码' },
  members: {
    type: 'table',
    label: '家庭成员',
    columns: { name: { type: 'string', label: '姓名' }, idNumber: { type: 'residentId', label: '身份证号码' } },
  },
};

describe('sealResidentIds', () => {
  it('seals top-level fields and table cells, and leaves the input alone', () => {
    const input = { name: '陈大明', householderId: HEAD, members: [{ name: '陈大明', idNumber: HEAD }, { name: '李秀英', idNumber: SPOUSE }, { name: '陈小明', idNumber: CHILD_X.toLowerCase() }] };
    const before = structuredClone(input);
    const sealed = sealResidentIds(FIELDS, input, cipher);
    expect(input).toEqual(before);
    expect(JSON.stringify(sealed)).not.toMatch(ID_RUN);
    expect(sealed.name).toBe('陈大明');
    expect(sealed.householderId).toEqual({ masked: '4407**********2412', token: expect.stringMatching(/^v1\./) });
    const members = sealed.members as { name: string; idNumber: SealedResidentId }[];
    expect(members.map((m) => m.idNumber.masked)).toEqual(['4407**********2412', '4407**********3127', '4407**********104X']);
    expect(cipher.decrypt(members[2].idNumber.token)).toBe(CHILD_X); // normalised: upper-case X
    expect(members.every((m) => isSealedResidentId(m.idNumber))).toBe(true);
    expect(validateFormInput(FIELDS, sealed)).toEqual([]);
  });

  it('keeps values sealed by this key, and reduces a foreign or forged token to its mask', () => {
    const own = { masked: '4407**********2412', token: cipher.encrypt(HEAD) };
    expect(sealResidentIds(FIELDS, { householderId: own }, cipher).householderId).toBe(own);

    const foreign = { masked: '4407**********2412', token: otherKey.encrypt(HEAD) };
    const mismatched = { masked: '4407**********9999', token: cipher.encrypt(HEAD) };
    for (const forged of [foreign, mismatched]) {
      const sealed = sealResidentIds(FIELDS, { householderId: forged }, cipher);
      expect(sealed.householderId).toBe(forged.masked);
      expect(validateFormInput(FIELDS, sealed)).toEqual([{ field: 'householderId', message: expect.stringContaining('resident ID') }]);
    }
  });

  it('leaves invalid values to the form check, which refuses them without repeating them', () => {
    const badChecksum = '440781198003122413';
    const input = { householderId: badChecksum, members: [{ idNumber: 12345 }, 'not a row', { idNumber: '44078120990101123X' }] };
    const sealed = sealResidentIds(FIELDS, input, cipher);
    expect(sealed.householderId).toBe(badChecksum);
    expect((sealed.members as unknown[])[1]).toBe('not a row');
    const issues = validateFormInput(FIELDS, sealed);
    expect(issues.map((i) => i.field)).toEqual(['householderId', 'members.0.idNumber', 'members.1', 'members.2.idNumber']);
    expect(JSON.stringify(issues)).not.toMatch(ID_RUN);
  });

  it('returns the same object when there is nothing to seal, and ignores fields the form does not have', () => {
    const input = { name: '陈大明', extra: HEAD };
    expect(sealResidentIds(FIELDS, input, cipher)).toBe(input);
    expect(sealResidentIds(undefined, input, cipher)).toBe(input);
    expect(sealResidentIds(FIELDS, { members: 'none' }, cipher)).toEqual({ members: 'none' });
  });
});

describe('resident IDs in free text', () => {
  const BAD_CHECKSUM = '440781198003122413';
  const TEXT_FIELDS: Record<string, FieldDefinition> = {
    reason: { type: 'text', label: '退回原因', maxLength: 60 },
    unit: { type: 'string', label: '单位' },
    count: { type: 'integer', label: '人数' },
    members: { type: 'table', label: '成员', columns: { note: { type: 'string', label: '备注' } } },
  };

  it('seals each valid ID of a string or text field in its place, and leaves other numbers as typed', () => {
    const input = { reason: `户主${HEAD}与${BAD_CHECKSUM}不符，电话13800138000`, unit: '农业局', count: 3, members: [{ note: `配偶${SPOUSE}` }, { note: '无' }] };
    const sealed = sealResidentIds(TEXT_FIELDS, input, cipher);
    expect(JSON.stringify(sealed)).not.toContain(HEAD);
    expect(JSON.stringify(sealed)).not.toContain(SPOUSE);
    expect(sealed.unit).toBe('农业局');
    const reason = sealed.reason as SealedText;
    expect(reason.sealedText).toEqual(['户主', { masked: '4407**********2412', token: expect.stringMatching(/^v1\./) }, `与${BAD_CHECKSUM}不符，电话13800138000`]);
    expect(cipher.decrypt(sealedIdsOf(reason)[0].token)).toBe(HEAD);
    expect(maskedText((sealed.members as { note: SealedText }[])[0].note)).toBe('配偶4407**********3127');
    expect((sealed.members as { note: string }[])[1].note).toBe('无');
    // The form checks the text as it reads, with the length the officer typed.
    expect(validateFormInput(TEXT_FIELDS, sealed)).toEqual([]);
    expect(validateFormInput(TEXT_FIELDS, sealResidentIds(TEXT_FIELDS, { reason: `${'长'.repeat(43)}${HEAD}` }, cipher))).toEqual([
      { field: 'reason', message: 'must be at most 60 characters' },
    ]);
  });

  it('keeps a text without an ID a plain string, the same object when nothing changed', () => {
    const input = { reason: `校验位错误的号码${BAD_CHECKSUM}` };
    expect(sealResidentIds(TEXT_FIELDS, input, cipher)).toBe(input);
    expect(sealText('无身份证号', cipher)).toBe('无身份证号');
  });

  it('keeps a text sealed by this key, and reduces forged or foreign IDs in it to their masks', () => {
    const own = sealText(`户主${HEAD}`, cipher) as SealedText;
    expect(sealFreeText(own, cipher)).toBe(own);
    const foreign = sealText(`户主${HEAD}`, otherKey) as SealedText;
    expect(sealFreeText(foreign, cipher)).toBe('户主4407**********2412');
    // A sealed text from outside whose plain parts hold an ID: those are sealed too.
    const smuggled = { sealedText: [`配偶${SPOUSE} `, ...own.sealedText] };
    const resealed = sealFreeText(smuggled, cipher) as SealedText;
    expect(isSealedText(resealed)).toBe(true);
    expect(maskedText(resealed)).toBe('配偶4407**********3127 户主4407**********2412');
    expect(sealedIdsOf(resealed).map((s) => cipher.decrypt(s.token))).toEqual([SPOUSE, HEAD]);
    expect(sealFreeText(42, cipher)).toBe(42);
  });
});

describe('free text written again (a household file edited)', () => {
  const countingCipher = () => {
    let encrypted = 0;
    return {
      cipher: { encrypt: (id: string) => (encrypted++, cipher.encrypt(id)), decrypt: (token: string) => cipher.decrypt(token) },
      encrypted: () => encrypted,
    };
  };

  it('stores a text sent back as shown, or in full, exactly as before: the same tokens, nothing sealed afresh', () => {
    const stored = sealText(`配偶${SPOUSE}，户主${HEAD}`, cipher) as SealedText;
    const kept = sealedIdsOf(stored);
    const counting = countingCipher();
    expect(resealText(maskedText(stored), kept, counting.cipher)).toEqual(stored);
    expect(resealText(`配偶${SPOUSE}，户主${HEAD}`, kept, counting.cipher)).toEqual(stored);
    expect(counting.encrypted()).toBe(0);
  });

  it('keeps the ID behind a mask left in an edited text, seals a new one, and leaves an unknown mask as typed', () => {
    const kept = sealedIdsOf(sealText(`户主${HEAD}`, cipher) as SealedText);
    const edited = resealText(`改为：户主4407**********2412，配偶${SPOUSE}，另4407**********9999`, kept, cipher) as SealedText;
    expect(maskedText(edited)).toBe('改为：户主4407**********2412，配偶4407**********3127，另4407**********9999');
    expect(sealedIdsOf(edited).map((s) => cipher.decrypt(s.token))).toEqual([HEAD, SPOUSE]);
    expect(sealedIdsOf(edited)[0]).toBe(kept[0]);
    // Each kept ID once: a second copy of the mask is only text.
    expect(sealedIdsIn(resealText('4407**********2412 4407**********2412', kept, cipher))).toEqual(kept);
    // Nothing kept: exactly sealText.
    expect(resealText('无', [], cipher)).toBe('无');
  });

  it('seals every string of a record and keeps the sealed part beside the masked one', () => {
    const record = { name: `户主${HEAD}`, role: '村主任', count: 2, plan: { volunteers: [{ name: '甲' }, { name: `乙${SPOUSE}` }] }, none: null };
    const sealed = sealStrings(record, [], cipher);
    const shown = presentResidentIds(sealed);
    expect(shown).toEqual({ ...record, name: '户主4407**********2412', plan: { volunteers: [{ name: '甲' }, { name: '乙4407**********3127' }] } });
    const part = sealedPart(sealed);
    expect(part).toEqual({ name: sealed.name, plan: { volunteers: [null, { name: sealed.plan.volunteers[1].name }] } });
    expect(JSON.stringify(part)).not.toMatch(ID_RUN);
    // Laid back over the masked columns: the record as sealed; a column changed behind it keeps what it says.
    expect(withSealedPart(shown, part)).toEqual(sealed);
    expect(withSealedPart({ ...shown, name: '已改' }, part)).toEqual({ ...sealed, name: '已改' });
    expect(sealedIdsIn(sealed).map((s) => cipher.decrypt(s.token))).toEqual([HEAD, SPOUSE]);
    expect(sealedPart({ name: '无', list: ['a'] })).toBeNull();
    expect(sealStrings(sealed, [], cipher)).toEqual(sealed);
  });
});

describe('presentResidentIds', () => {
  it('shows a sealed text as its masked text', () => {
    const data = { reason: sealText(`户主${HEAD}。`, cipher), plain: 'x' };
    expect(presentResidentIds(data)).toEqual({ reason: '户主4407**********2412。', plain: 'x' });
  });

  it('shows every sealed value as its mask, however deep, and copies the rest', () => {
    const sealed = { masked: '4407**********2412', token: cipher.encrypt(HEAD) };
    const data = { householderId: sealed, members: [{ idNumber: sealed, age: 46 }], nested: { deeper: [[sealed]] }, n: 1, s: 'x', nothing: null };
    const shown = presentResidentIds(data);
    expect(shown).toEqual({
      householderId: '4407**********2412',
      members: [{ idNumber: '4407**********2412', age: 46 }],
      nested: { deeper: [['4407**********2412']] },
      n: 1,
      s: 'x',
      nothing: null,
    });
    expect(JSON.stringify(shown)).not.toContain('v1.');
    expect(data.householderId).toBe(sealed);
  });

  it('leaves objects that merely look alike (extra keys, no token) as they are', () => {
    const lookalike = { masked: '4407**********2412', token: 'v1.abc', extra: true };
    expect(presentResidentIds({ a: lookalike })).toEqual({ a: lookalike });
  });
});

describe('actionFields', () => {
  const workflow = compileWorkflow({
    key: 'ids',
    version: 1,
    label: 'IDs',
    start: { role: 'officer', level: 'town' },
    initial: 'a',
    steps: {
      a: {
        label: 'A',
        role: 'officer',
        level: 'town',
        actions: { submit: { label: 'Submit', kind: 'submit', target: 'done', fields: { id: { type: 'residentId', label: 'ID' } } } },
      },
      done: { label: 'Done', type: 'final', status: 'done' },
    },
  });
  const { snapshot } = startCase(workflow, { data: {}, jurisdiction: '440781109', now: new Date('2026-03-02T00:00:00Z') });

  it('finds the fields of the action the engine would take, or nothing', () => {
    expect(actionFields(workflow, snapshot, { action: 'submit' })).toEqual({ id: { type: 'residentId', label: 'ID' } });
    expect(actionFields(workflow, snapshot, { action: 'submit', step: 'a' })).toBeDefined();
    expect(actionFields(workflow, snapshot, { action: 'submit', step: 'done' })).toBeUndefined();
    expect(actionFields(workflow, snapshot, { action: 'toString' })).toBeUndefined();
  });
});
