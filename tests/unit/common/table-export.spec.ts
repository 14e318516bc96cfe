import { strFromU8, unzipSync } from 'fflate';
import { columnName, neutralizeFormula, toCsv, toXlsx } from '../../../src/common/table-export.js';

describe('toCsv', () => {
  it('starts with a UTF-8 byte-order mark and writes Chinese as UTF-8, CRLF lines', () => {
    const csv = toCsv(['户主姓名', '人均'], [['陈大明', 6599.5]]);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.subarray(3).toString('utf8')).toBe('户主姓名,人均\r\n陈大明,6599.5\r\n');
  });

  it('neutralises text a spreadsheet would run as a formula, and quotes what needs quoting', () => {
    const csv = toCsv(['a', 'b', 'c', 'd', 'e', 'f'], [['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', 'a,b', 'say "hi"']]);
    expect(csv.subarray(3).toString('utf8').split('\r\n')[1]).toBe(`"'=HYPERLINK(""http://x"",""y"")",'+1,'-2+3,'@SUM(A1),"a,b","say ""hi"""`);
  });

  it('writes numbers as numbers (a negative income is not a formula) and null as empty', () => {
    expect(toCsv(['x', 'y'], [[-3000, null]]).subarray(3).toString('utf8')).toBe('x,y\r\n-3000,\r\n');
  });

  it('neutralizeFormula leaves ordinary text alone', () => {
    expect(neutralizeFormula('陈大明')).toBe('陈大明');
    expect(neutralizeFormula('\t=1')).toBe("'\t=1");
  });
});

describe('toXlsx', () => {
  it('is a workbook whose sheet holds the header and rows, text as inline strings, numbers as values', () => {
    const book = unzipSync(new Uint8Array(toXlsx('户档 440781', ['户主姓名', '人均'], [['=1+1', 6599.5], ['陈<大>明', null]])));
    expect(Object.keys(book).sort()).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
    const sheet = strFromU8(book['xl/worksheets/sheet1.xml']);
    expect(sheet).toContain('<c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">户主姓名</t></is></c>');
    expect(sheet).toContain('<c r="A2" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c><c r="B2"><v>6599.5</v></c>');
    expect(sheet).toContain('<t xml:space="preserve">陈&lt;大&gt;明</t>');
    expect(sheet).not.toContain('<f>');
    expect(strFromU8(book['xl/workbook.xml'])).toContain('<sheet name="户档 440781" sheetId="1" r:id="rId1"/>');
  });

  it('names columns past Z', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});
