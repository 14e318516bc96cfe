import { validateFormInput } from '../../../src/engine/form-input.js';
import type { FieldDefinition } from '../../../src/engine/workflow-definition.js';
import { residentIdCheckCharacter } from '../../../src/org/resident-id.js';

const idNumber: FieldDefinition = { type: 'residentId', label: '身份证号', required: true };
const members: FieldDefinition = {
  type: 'table',
  label: '家庭成员',
  columns: { name: { type: 'string', label: '姓名', required: true }, idNumber },
};

/** A valid ID of someone born on `ymd` (YYYYMMDD) in 台山. */
const bornOn = (ymd: string): string => {
  const first17 = `440781${ymd}123`;
  return first17 + residentIdCheckCharacter(first17);
};

const TODAY = new Date('2016-09-01T01:00:00.000Z');
const sealed = { masked: '4407**********123X', token: 'v1.AbC-_0' };

describe('residentId fields', () => {
  it.each([
    ['the GB 11643 standard sample', '11010519491231002X'],
    ['a lower-case check character', '11010519491231002x'],
    ['someone born on the day of the request', bornOn('20160901')],
    ['a sealed ID (masked form and token)', sealed],
  ])('accepts %s', (_name, value) => {
    expect(validateFormInput({ idNumber }, { idNumber: value }, { today: TODAY })).toEqual([]);
  });

  it.each([
    ['a wrong check character', '110105194912310021'],
    ['17 digits', '11010519491231002'],
    ['an impossible birth date', bornOn('19900230')],
    ['a birth date after the day of the request', bornOn('20160902')],
    ['a number', 110105194912310020],
    ['a sealed ID with an extra property', { ...sealed, plain: '11010519491231002X' }],
    ['a sealed ID whose masked form is not masked', { masked: '11010519491231002X', token: 'v1.abc' }],
  ])('refuses %s without repeating the value', (_name, value) => {
    const issues = validateFormInput({ idNumber }, { idNumber: value }, { today: TODAY });
    expect(issues).toEqual([{ field: 'idNumber', message: expect.stringContaining('resident ID') }]);
    expect(JSON.stringify(issues)).not.toContain(String(value).slice(0, 10));
    expect(issues[0].message).not.toMatch(/\d{6}/);
  });

  it('is required like any field', () => {
    expect(validateFormInput({ idNumber }, {}, { today: TODAY })).toEqual([{ field: 'idNumber', message: 'is required (身份证号)' }]);
  });

  it('checks the ID of every row of a table, naming the row', () => {
    const rows = [
      { name: '李大福', idNumber: bornOn('19680305') },
      { name: '陈秀英', idNumber: '440781197101011230' },
      { name: '李小明', idNumber: sealed },
    ];
    expect(validateFormInput({ members }, { members: rows }, { today: TODAY })).toEqual([
      { field: 'members.1.idNumber', message: expect.stringContaining('resident ID') },
    ]);
  });

  it('takes the day from the clock when the caller gives none', () => {
    expect(validateFormInput({ idNumber }, { idNumber: bornOn('20160902') })).toEqual([]);
  });
});
