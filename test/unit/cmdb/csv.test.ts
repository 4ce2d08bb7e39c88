import { cellValue, csvRecords, CsvError, parseCsv, toCsv } from '../../../domain/cmdb/csv';

describe('CSV', () => {
  test('quotes, doubled quotes, commas and line breaks inside fields, CRLF, BOM', () => {
    expect(parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n1,,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '', '3'],
    ]);
  });

  test('broken input is named by line', () => {
    expect(() => parseCsv('a\n"open')).toThrow(new CsvError('line 2: a quoted field is not closed'));
    expect(() => parseCsv('"a"b')).toThrow(/closing quote/);
    expect(() => csvRecords('a,b\n1,2,3')).toThrow(new CsvError('row 2 has 3 fields, the header 2'));
    expect(() => csvRecords('a,a\n1,2')).toThrow(/twice/);
  });

  test('cells become values; lists split on ;', () => {
    expect(cellValue(' 10.0.0.1; 10.0.0.2 ', { type: 'ip', list: true })).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(cellValue('  ', { type: 'string' })).toBeUndefined();
  });

  test('what is written reads back the same', () => {
    const text = toCsv(['class', 'name', 'ips'], [['host', 'a,"b"', ['1.1.1.1', '2.2.2.2']], ['host', ' padded ', null]]);
    expect(csvRecords(text)).toEqual([
      { class: 'host', name: 'a,"b"', ips: '1.1.1.1;2.2.2.2' },
      { class: 'host', name: ' padded ', ips: '' },
    ]);
  });
});
