import { describe, expect, it } from 'vitest';
import { IMPORT_PROBLEM_CODES } from './import-problems.ts';
import {
  importProgressText,
  inLanguages,
  moreProblemsText,
  nothingImportedText,
  IMPORT_PROBLEM_WORDS,
  importProblemLine,
  importProblemLines,
  importProblemText,
  importSummaryText,
  cameraImportSummaryText,
  geometryReasonText,
  repairLine,
  problemKindPrefix,
} from './import-words.ts';

const HAN = /[\u4e00-\u9fff]/;

describe('import problems are codes worded by the client (issue 11)', () => {
  it('every code has a zh-CN and an English wording, and no wording is left without a code', () => {
    for (const code of IMPORT_PROBLEM_CODES) {
      expect(IMPORT_PROBLEM_WORDS['zh-CN'][code], code).toMatch(/\S/);
      expect(IMPORT_PROBLEM_WORDS.en[code], code).toMatch(/\S/);
    }
    for (const lang of ['zh-CN', 'en'] as const)
      expect(Object.keys(IMPORT_PROBLEM_WORDS[lang]).sort()).toEqual([...IMPORT_PROBLEM_CODES].sort());
  });

  it('the Chinese wording is Chinese and both use the same params', () => {
    const params = (t: string) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const code of IMPORT_PROBLEM_CODES) {
      const zh = IMPORT_PROBLEM_WORDS['zh-CN'][code];
      const en = IMPORT_PROBLEM_WORDS.en[code];
      expect(zh, code).toMatch(HAN);
      expect(params(zh), code).toEqual(params(en));
    }
  });

  it('words a refused row with its place, field, layer and geometry names in either language', () => {
    const p = {
      index: 1,
      row: 3,
      code: 'cell_not_number' as const,
      params: { field: 'lon', value: '东经105' },
    };
    expect(importProblemLine('zh-CN', p)).toBe('第 2 个要素（第 3 行）：“lon”的值“东经105”不是数字');
    expect(importProblemLine('en', p)).toBe('feature #2 (row 3): “lon” "东经105" is not a number');
    expect(importProblemLines('both', p)).toBe(
      '第 2 个要素（第 3 行）：“lon”的值“东经105”不是数字 | feature #2 (row 3): “lon” "东经105" is not a number',
    );
    const type = {
      code: 'wrong_geometry_type' as const,
      params: { type: 'Point', layer: 'buildings', accepts: 'Polygon,MultiPolygon' },
    };
    expect(importProblemText('zh-CN', type)).toBe(
      '几何类型为点（Point）；楼栋需要面（Polygon）或多面（MultiPolygon）',
    );
    expect(importProblemText('en', type)).toBe('Geometry is Point; buildings take Polygon or MultiPolygon');
    expect(
      importProblemText(
        'zh-CN',
        { code: 'required', params: { field: 'category' } },
        { field: () => '类别' },
      ),
    ).toBe('“类别”为必填项');
    // A named feature is named: the user finds 锦华苑 in the file, not its 7th placemark.
    expect(importProblemLines('both', { ...p, index: 6, name: '锦华苑' })).toBe(
      '第 7 个要素“锦华苑”（第 3 行）：“lon”的值“东经105”不是数字 | feature #7 “锦华苑” (row 3): “lon” "东经105" is not a number',
    );
    // Helper 45: a file named .xlsx that is none showed jszip's words and a web address.
    const notZip = {
      code: 'not_xlsx' as const,
      params: {
        detail:
          "Can't find end of central directory : is this a zip file ? If it is, see https://stuk.github.io/jszip/documentation/howto/read_zip.html",
      },
    };
    expect(importProblemText('zh-CN', notZip)).toBe(
      '不是可读取的 Excel（XLSX）工作簿：它不是 zip 压缩包，或文件不完整',
    );
    expect(importProblemText('en', notZip)).toBe(
      'Not a readable XLSX workbook: it is no zip archive, or it is cut short',
    );
    // Helper 44: “在 cameras 中已存在” named the table, not the layer.
    const dup = {
      code: 'already_exists' as const,
      params: { column: 'code', value: '"C-1"', table: 'cameras' },
    };
    expect(importProblemText('zh-CN', dup)).toBe('“code”的值 "C-1" 在摄像机中已存在');
    expect(importProblemText('en', dup)).toBe('“code” "C-1" already exists in cameras');
    expect(
      importProblemText('zh-CN', {
        code: 'reference_missing',
        params: { column: 'compound_id', value: '9', table: 'compounds', ref: 'id' },
      }),
    ).toBe('没有 id 为 9 的小区（“compound_id”）');
    expect(
      importProblemText('zh-CN', {
        code: 'source_id_outside_scope',
        params: { value: '"a"', table: 'service_areas', id: 3 },
      }),
    ).toBe('编号 "a" 已存在于替换范围之外（物业服务区域第 3 条）');
    expect(
      importProblemText('en', {
        code: 'reference_missing',
        params: { column: 'compound_id', value: '9', table: 'compounds', ref: 'id' },
      }),
    ).toBe('No compound has id 9 (“compound_id”)');
  });

  it("GEOS's reason for an invalid geometry is worded in the user's language, and the repair hint fits where it is read", () => {
    // Defect guarded: PostGIS's "Self-intersection[105.6 30.5]" stood in English inside the Chinese
    // sentence, and the page's hint named the command line's --make-valid.
    const p = {
      index: 2,
      code: 'invalid_geometry',
      params: { detail: 'Self-intersection[105.5911 30.5301]' },
    } as const;
    expect(importProblemText('zh-CN', p, { surface: 'page' })).toBe(
      '几何无效：边界自相交（位置 105.591100, 30.530100）（勾选“修复几何”可自动修复）',
    );
    expect(importProblemText('en', p, { surface: 'page' })).toBe(
      'Invalid geometry: the boundary crosses itself at 105.591100, 30.530100 (“Repair geometry” repairs it)',
    );
    expect(importProblemText('zh-CN', p, { surface: 'cli' })).toBe(
      '几何无效：边界自相交（位置 105.591100, 30.530100）（加上 --make-valid 可自动修复）',
    );
    expect(importProblemText('en', p)).toMatch(/\(“Repair geometry” or --make-valid repairs it\)$/);
    // Every reason GEOS gives (3.9 to 3.13), with and without a place; no English left in the Chinese.
    for (const reason of [
      'Self-intersection',
      'Ring Self-intersection',
      'Hole lies outside shell',
      'Holes are nested',
      'Interior is disconnected',
      'Nested shells',
      'Duplicate Rings',
      'Too few points in geometry component',
      'Too few distinct points in geometry component',
      'Invalid Coordinate',
      'Ring is not closed',
      'Repeated Point',
    ]) {
      for (const detail of [reason, `${reason}[105.6 30.5]`]) {
        const zh = geometryReasonText('zh-CN', detail);
        expect(zh, detail).toMatch(HAN);
        expect(zh, detail).not.toMatch(/[A-Za-z]/);
        expect(geometryReasonText('en', detail), detail).not.toContain(reason);
      }
    }
    expect(geometryReasonText('zh-CN', 'Ring Self-intersection[105.6 30.5]')).toBe(
      '边界在一点上与自身相接（环自相交）（位置 105.600000, 30.500000）',
    );
    // A reason GEOS words otherwise (or a newer one) is kept as it is rather than lost.
    expect(geometryReasonText('zh-CN', 'Something new[1 2]')).toBe('Something new[1 2]');
    const repair = {
      index: 2,
      reason: 'Self-intersection[105.6 30.5]',
      partsBefore: 1,
      partsAfter: 2,
      areaBefore: 10,
      areaAfter: 9.5,
    };
    expect(repairLine('zh-CN', repair)).toBe(
      '第 3 个要素：边界自相交（位置 105.600000, 30.500000），已修复：1 个多边形 → 2 个部分，面积 10 m² → 9.5 m²',
    );
    expect(repairLine('en', repair)).toBe(
      'feature #3: the boundary crosses itself at 105.600000, 30.500000, repaired: 1 polygon → 2 parts, area 10 m² → 9.5 m²',
    );
  });

  it('a value not allowed lists the codes, in Chinese with the words a file may hold instead', () => {
    const p = {
      code: 'value_not_allowed',
      params: { field: 'kind', value: '"后门"', allowed: 'vehicle, pedestrian, unit_door' },
    } as const;
    expect(importProblemText('zh-CN', p)).toBe(
      '“kind”的值 "后门" 不在可选值中（vehicle（车行出入口），pedestrian（人行出入口），unit_door（单元门））',
    );
    expect(importProblemText('en', p)).toBe('“kind” "后门" is not one of vehicle, pedestrian, unit_door');
  });

  it('a file problem has no place; a feature with many bad positions says how many more', () => {
    expect(
      importProblemLine('zh-CN', { index: null, code: 'dbf_missing', params: { file: 'cut.shp' } }),
    ).toMatch(/^cut\.shp 缺少 \.dbf 文件/);
    const more = {
      code: 'coordinate_out_of_range' as const,
      params: { path: 'coordinates[0]', x: 500, y: 1, more: 4 },
    };
    expect(importProblemText('en', more)).toMatch(/\(and 4 more like it\)$/);
    expect(importProblemText('zh-CN', more)).toMatch(/（另有 4 处类似）$/);
  });

  it('issue 11: the CLI summary lines are worded too, Chinese first with English beside', () => {
    expect(inLanguages('both', (l) => nothingImportedText(l, 3, 2))).toBe(
      '未导入任何要素：3 个问题，涉及 2 个要素 | nothing imported: 3 problems in 2 features',
    );
    expect(nothingImportedText('en', 1, null)).toBe('nothing imported: 1 problem');
    expect(inLanguages('zh-CN', (l) => moreProblemsText(l, 1200, true))).toBe('…… 另有 1,200 个警告');
  });
});

describe('issue 11: the import summary lines are worded in each language', () => {
  const facts = {
    layer: 'buildings',
    inserted: 4,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    deleted: 0,
    repaired: 1,
    seconds: 2.04,
  };
  it('an import: what was written, and the repairs', () => {
    expect(importSummaryText('zh-CN', facts)).toBe('已导入 4 个楼栋（修复 1 个），用时 2.0 秒');
    expect(importSummaryText('en', facts)).toBe('imported 4 buildings (1 repaired) in 2.0 s');
    // one of a layer is singular in English ("imported 1 buildings" before)
    expect(importSummaryText('en', { ...facts, inserted: 1, repaired: 0 })).toBe(
      'imported 1 building in 2.0 s',
    );
    expect(importSummaryText('en', { ...facts, layer: 'jurisdictions', inserted: 1, repaired: 0 })).toBe(
      'imported 1 jurisdiction in 2.0 s',
    );
  });
  it('a keyed import that wrote nothing says so', () => {
    const same = { ...facts, inserted: 0, repaired: 0, unchanged: 2 };
    expect(importSummaryText('zh-CN', same)).toBe('无变化：2 个楼栋已存储且内容相同（用时 2.0 秒）');
    expect(importSummaryText('en', same)).toBe(
      'nothing changed: 2 buildings already stored as they are (in 2.0 s)',
    );
  });
  it('a camera import, with rows left out; no English in the Chinese and no Chinese in the English', () => {
    const cams = { inserted: 1, rows: 2, source: 'gbt28181' as const, rejectedRows: 1 };
    expect(cameraImportSummaryText('zh-CN', cams)).toBe(
      '已导入 1 个摄像机，来自 2 行 GB/T 28181 目录数据，1 行被拒收',
    );
    expect(cameraImportSummaryText('en', { ...cams, seconds: 0.31 })).toBe(
      'imported 1 camera from 2 GB/T 28181 catalogue rows, 1 row rejected in 0.3 s',
    );
    expect(cameraImportSummaryText('zh-CN', { ...cams, source: 'osm' })).not.toMatch(/camera|row|imported/);
    expect(cameraImportSummaryText('en', { ...cams, source: 'osm' })).not.toMatch(HAN);
    expect(problemKindPrefix('zh-CN', 'rejected') + problemKindPrefix('zh-CN', 'warning')).toBe(
      '已拒收：警告：',
    );
  });
});

describe('the CLI progress line (it was English only in a Chinese-first CLI)', () => {
  it('says the step, the count and, while reading, the rate, in either language', () => {
    const p = { phase: 'loading' as const, done: 114_688, total: 200_000, seconds: 1.004 };
    expect(importProgressText('zh-CN', p)).toBe('读取 114,688 / 200,000，每秒 114,231 个（1.0 秒）');
    expect(importProgressText('en', p)).toBe('reading 114,688 / 200,000, 114,231 features/s (1.0 s)');
    expect(importProgressText('zh-CN', { ...p, phase: 'writing', done: 0 })).toBe(
      '写入 0 / 200,000（1.0 秒）',
    );
  });
});
