import { describe, expect, it } from 'vitest';
import { reportCsv } from './import-client.ts';

describe('the check report as CSV', () => {
  it('counts from 1, names each feature, and keeps a name from the file text in Excel, never a formula', () => {
    const csv = reportCsv(
      [
        { index: 6, row: 8, name: '锦华苑', code: 'required', params: { field: 'category' } },
        { index: 7, name: '=HYPERLINK("http://x","点我")', code: 'no_geometry' },
        { index: null, code: 'no_features_in_file' },
      ],
      (p) => p.code,
    );
    expect(csv.split('\r\n')).toEqual([
      '\uFEFFindex,row,name,reason',
      '7,8,锦华苑,required',
      `8,,"'=HYPERLINK(""http://x"",""点我"")",no_geometry`,
      ',,,no_features_in_file',
      '',
    ]);
  });
});
