import { describe, expect, it } from 'vitest';
import { FIELD_SYNONYMS, guessMapping, valueCode } from './import-mapping.ts';

describe('guessMapping: which column fills which field', () => {
  it('takes a field’s own name first, then what Chinese files call it; each column once', () => {
    // New-user try (2026-12-05): 门禁 was not mapped to access_control on the page, and the command
    // line mapped nothing.
    expect(
      guessMapping(['name', 'kind', 'access_control', 'compound_id'], ['名称', '类型', '门禁', '经度']),
    ).toEqual({
      name: '名称',
      kind: '类型',
      access_control: '门禁',
      compound_id: null,
    });
    // 类型 is a camera's type where the layer has no kind.
    expect(guessMapping(['name', 'system', 'type'], ['名称', '系统', '类型'])).toEqual({
      name: '名称',
      system: '系统',
      type: '类型',
    });
    // The field's own name wins over a synonym, and a column fills one field only.
    expect(guessMapping(['name'], ['名称', 'name'])).toEqual({ name: 'name' });
    expect(guessMapping(['kind', 'type'], ['类型'])).toEqual({ kind: '类型', type: null });
  });

  it('reads a coded value as its code, its code in another case, or its words', () => {
    const kinds = ['vehicle', 'pedestrian', 'unit_door'];
    expect(valueCode('kind', 'vehicle', kinds)).toBe('vehicle');
    expect(valueCode('kind', 'VEHICLE', kinds)).toBe('vehicle');
    expect(valueCode('kind', '车行', kinds)).toBe('vehicle');
    expect(valueCode('kind', '后门', kinds)).toBeNull();
    expect(valueCode('notes', 'x', kinds)).toBeNull();
  });
});

describe("guessMapping of a Shapefile cut to 10 characters, and the page's own labels", () => {
  it('finds management_mode in management and street_code in street_cod, and 管理模式 (new-user try 2026-12-05)', () => {
    expect(
      guessMapping(['name', 'management_mode', 'street_code'], ['name', 'management', 'street_cod']),
    ).toEqual({
      name: 'name',
      management_mode: 'management',
      street_code: 'street_cod',
    });
    expect(guessMapping(['management_mode'], ['管理模式'])).toEqual({ management_mode: '管理模式' });
  });
});

describe('guessMapping of the words the page and the export write', () => {
  it('guesses each field from its Chinese label on the page (helper 45: 服务单位 and 所属系统 were left out)', async () => {
    const { MESSAGES } = await import('../client/src/i18n/messages.ts');
    const labels = MESSAGES['zh-CN'] as Record<string, string>;
    // Not the references: a column headed 街道, 社区, 上级 or 所属小区 holds names in an office's
    // file, and these fields take codes and ids.
    const references = ['street_code', 'community_code', 'parent_code', 'compound_id'];
    for (const field of Object.keys(FIELD_SYNONYMS).filter((f) => !references.includes(f))) {
      const label = labels[`attr.${field}`];
      if (label === undefined) continue;
      expect(guessMapping([field], [label]), `${field}: ${label}`).toEqual({ [field]: label });
    }
  });

  it('guesses a camera list’s usual columns', () => {
    expect(
      guessMapping(['code', 'name', 'system', 'type'], ['设备编码', '设备名称', '所属系统', '设备类型']),
    ).toEqual({
      code: '设备编码',
      name: '设备名称',
      system: '所属系统',
      type: '设备类型',
    });
  });

  it('reads the management modes as offices write them', () => {
    const codes = ['professional', 'resident_self', 'community_custodial'];
    expect(
      ['专业物业', '居民自治', '业主自管', '社区代管'].map((w) => valueCode('management_mode', w, codes)),
    ).toEqual(['professional', 'resident_self', 'resident_self', 'community_custodial']);
  });
});
