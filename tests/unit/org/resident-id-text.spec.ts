import { residentIdCheckCharacter } from '../../../src/org/resident-id.js';
import {
  clipFreeText,
  freeTextOf,
  isSealedText,
  maskedText,
  residentIdsInText,
  sealedIdsOf,
  shownText,
  type SealedText,
} from '../../../src/org/resident-id-text.js';

const HEAD = '440781198003122412';
const CHILD_X = '44078119910505104X';
/** Valid shape and date, wrong check character: an 18-digit number that is not an ID. */
const BAD_CHECKSUM = `${HEAD.slice(0, 17)}${HEAD[17] === '0' ? '1' : '0'}`;
const TODAY = new Date('2026-05-01T04:00:00Z');
const fullWidth = (ascii: string) => ascii.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const sealedId = (masked: string) => ({ masked, token: 'v1.AAAA' });

describe('resident IDs in free text', () => {
  it('finds valid IDs anywhere in a text, with their places, normalised', () => {
    const text = `户主${HEAD}，其子${CHILD_X.toLowerCase()}。`;
    expect(residentIdsInText(text, TODAY)).toEqual([
      { start: 2, end: 20, id: HEAD },
      { start: 23, end: 41, id: CHILD_X },
    ]);
  });

  it('leaves every other long number alone: wrong check character, phone, bank card, longer runs, case numbers', () => {
    expect(residentIdCheckCharacter(BAD_CHECKSUM.slice(0, 17))).not.toBe(BAD_CHECKSUM[17]);
    for (const text of [
      `号码${BAD_CHECKSUM}有误`,
      '电话13800138000',
      '银行卡6222021234567890123', // 19 digits
      '卡号6222 0212 3456 7890',
      `${HEAD}5`, // 19 digits: an ID inside a longer number is not one
      `9${HEAD}`,
      '案件编号JM2017000123',
      '44078119800312241', // 17 digits
      '440781800312241', // a 15-digit first-generation number: not detected (no check character)
      `${HEAD.slice(0, 6)}20990312241${residentIdCheckCharacter('44078120990312241')}`, // born in the future
    ]) {
      expect({ text, found: residentIdsInText(text, TODAY) }).toEqual({ text, found: [] });
    }
  });

  it('finds IDs written with full-width digits, as an input method may give them', () => {
    expect(residentIdsInText(`身份证：${fullWidth(CHILD_X)}`, TODAY)).toEqual([{ start: 4, end: 22, id: CHILD_X }]);
  });

  it('finds an ID between letters or punctuation, not only between spaces', () => {
    expect(residentIdsInText(`ID:${HEAD}X`, TODAY).map((f) => f.id)).toEqual([HEAD]);
  });
});

describe('a sealed text', () => {
  const sealed: SealedText = { sealedText: ['户主', sealedId('4407**********2412'), '，其子', sealedId('4407**********104X')] };

  it('is recognised only in its exact shape, with at least one sealed ID', () => {
    expect(isSealedText(sealed)).toBe(true);
    expect(isSealedText({ sealedText: ['only text'] })).toBe(false);
    expect(isSealedText({ sealedText: [sealedId('4407**********2412')], extra: 1 })).toBe(false);
    expect(isSealedText({ sealedText: [{ masked: HEAD, token: 'v1.AAAA' }] })).toBe(false); // a clear number is no mask
    expect(isSealedText({ sealedText: [42, sealedId('4407**********2412')] })).toBe(false);
    expect(isSealedText('text')).toBe(false);
    expect(isSealedText(null)).toBe(false);
  });

  it('reads as its text with the IDs masked, as long as the text typed', () => {
    expect(maskedText(sealed)).toBe('户主4407**********2412，其子4407**********104X');
    expect(maskedText(sealed)).toHaveLength(`户主${HEAD}，其子${CHILD_X}`.length);
    expect(shownText(sealed)).toBe(maskedText(sealed));
    expect(shownText('plain')).toBe('plain');
    expect(shownText(7)).toBe(7);
    expect(sealedIdsOf(sealed).map((s) => s.masked)).toEqual(['4407**********2412', '4407**********104X']);
  });

  it('is built from segments: strings merged, empties dropped, a plain string when no ID is left', () => {
    expect(freeTextOf(['a', '', 'b'])).toBe('ab');
    expect(freeTextOf(['a', 'b', sealedId('4407**********2412'), '', 'c', 'd'])).toEqual({ sealedText: ['ab', sealedId('4407**********2412'), 'cd'] });
  });

  it('is clipped by characters; an ID cut by the end keeps only part of its mask', () => {
    expect(clipFreeText(sealed, undefined)).toBe(sealed);
    expect(clipFreeText(sealed, 100)).toBe(sealed);
    expect(clipFreeText(sealed, 23)).toEqual({ sealedText: ['户主', sealedId('4407**********2412'), '，其子'] });
    expect(clipFreeText(sealed, 10)).toBe('户主4407****');
    expect(clipFreeText('名'.repeat(60), 50)).toBe('名'.repeat(50));
    expect(clipFreeText('short', 50)).toBe('short');
  });
});
