import { changesBetween, flatten, perCapitaIncome } from '../../../src/households/household-file.js';

describe('perCapitaIncome: the year’s records summed, divided by the members, rounded to the fen', () => {
  it('divides exactly', () => {
    expect(perCapitaIncome([12000, 7797], 3)).toEqual({ total: 19797, perCapita: 6599 });
  });
  it('sums in fen, so decimal amounts add up exactly', () => {
    expect(perCapitaIncome([0.1, 0.2, 6599.7], 1)).toEqual({ total: 6600, perCapita: 6600 });
  });
  it('rounds halves away from zero', () => {
    expect(perCapitaIncome([0.05], 2)).toEqual({ total: 0.05, perCapita: 0.03 });
    expect(perCapitaIncome([-0.05], 2)).toEqual({ total: -0.05, perCapita: -0.03 });
  });
  it('lets a business loss bring the total below zero', () => {
    expect(perCapitaIncome([3000, -9000], 2)).toEqual({ total: -6000, perCapita: -3000 });
  });
  it('is unknown without a record or without members', () => {
    expect(perCapitaIncome([], 3)).toBeNull();
    expect(perCapitaIncome([1000], 0)).toBeNull();
  });
});

describe('changesBetween', () => {
  it('lists changed, added and removed paths with their old and new values', () => {
    const before = { headName: '陈大明', rural: true, ...flatten('members', [{ id: 'a', name: '陈大明', age: 46 }, { id: 'b', name: '李秀英', age: 44 }]) };
    const after = { headName: '陈大明', rural: false, ...flatten('members', [{ id: 'a', name: '陈大明', age: 47 }, { id: 'c', name: '陈小明', age: 12 }]) };
    expect(changesBetween(before, after)).toEqual([
      { path: 'rural', from: true, to: false },
      { path: 'members[a]', from: { name: '陈大明', age: 46 }, to: { name: '陈大明', age: 47 } },
      { path: 'members[c]', from: null, to: { name: '陈小明', age: 12 } },
      { path: 'members[b]', from: { name: '李秀英', age: 44 }, to: null },
    ]);
  });
  it('sees no change in a different key order', () => {
    expect(changesBetween({ plan: { a: 1, b: [1, 2] } }, { plan: { b: [1, 2], a: 1 } })).toEqual([]);
  });
});
