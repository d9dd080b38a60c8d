import { describe, expect, it } from 'vitest';
import { validateAttributes } from '../editor/attributes.ts';
import { emptyAttributes } from '../editor/types.ts';
import { format } from '../i18n/messages.ts';
import { proposalDrafts } from './draft-names.ts';
import { DASHBOARD_MESSAGES, type DashboardT } from './messages.ts';

const text =
  (lang: 'zh-CN' | 'en'): DashboardT =>
  (key, vars) =>
    format(DASHBOARD_MESSAGES[lang][key], vars);

// Issue 9 #3 (ed9): every adopted 建议区域 opened with an empty 管理模式 (a required field, so it could
// not be saved unchanged) and the same name "<街道> 新服务区域" as every other draft of the street.
describe('issue 9 #3: an adopted proposal can be saved unchanged under a name of its own', () => {
  const proposals = [
    { compounds: ['华兴街38号院'] },
    { compounds: ['育才路12号院', '育才路14号院', '育才路16号院'] },
    { compounds: [] },
    { compounds: ['华兴街38号院'] },
    { compounds: [] },
    {}, // an answer kept from before proposals named their compounds
  ];

  it('names each after the compounds it covers, or the street and a number, all different', () => {
    const names = proposalDrafts(proposals, '510903001', '凯旋路街道', text('zh-CN')).map((a) => a.name);
    expect(names).toEqual([
      '华兴街38号院 物业服务区域（1）',
      '育才路12号院等 3 个小区 物业服务区域',
      '凯旋路街道 建议区域 3',
      '华兴街38号院 物业服务区域（2）',
      '凯旋路街道 建议区域 5',
      '凯旋路街道 建议区域 6',
    ]);
    expect(new Set(names).size).toBe(names.length);
    const en = proposalDrafts(proposals, '510903001', 'Kaixuanlu Street', text('en')).map((a) => a.name);
    expect(en.slice(0, 3)).toEqual([
      'service area of 华兴街38号院 (1)',
      'service area of 3 compounds: 育才路12号院 and others',
      'Kaixuanlu Street proposed area 3',
    ]);
    expect(new Set(en).size).toBe(en.length);
  });

  it('opens every one with a 管理模式 (社区托管型) and its street, so the attribute checks pass as is', () => {
    for (const a of proposalDrafts(proposals, '510903001', '凯旋路街道', text('zh-CN'))) {
      expect(a).toMatchObject({ street_code: '510903001', management_mode: 'community_custodial' });
      expect(validateAttributes({ ...emptyAttributes(), ...a })).toEqual({});
    }
  });
});
