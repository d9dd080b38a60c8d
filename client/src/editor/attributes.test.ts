import { describe, expect, it } from 'vitest';
import { splitPartName, validateAttributes } from './attributes.ts';
import { emptyAttributes } from './types.ts';

describe('validateAttributes', () => {
  it('marks the required fields of an empty form', () => {
    expect(validateAttributes(emptyAttributes())).toEqual({
      name: 'required',
      street_code: 'required',
      management_mode: 'required',
    });
  });
  it('accepts a complete form', () => {
    const a = {
      ...emptyAttributes('510903001'),
      name: '河东一区',
      management_mode: 'resident_self' as const,
    };
    expect(validateAttributes(a, { streetCodes: ['510903001'] })).toEqual({});
  });
  it('explains bad values', () => {
    const a = {
      ...emptyAttributes('510903002'),
      name: 'x'.repeat(201),
      management_mode: 'bogus' as never,
      status: 'done' as never,
    };
    expect(validateAttributes(a, { ownStreet: '510903001' })).toEqual({
      name: 'too_long',
      management_mode: 'invalid_choice',
      status: 'invalid_choice',
      street_code: 'not_your_street',
    });
  });
});

describe('splitPartName', () => {
  it('issue 9 #9: names the pieces a split cuts off apart from the area they came from', () => {
    expect(splitPartName('华兴街38号院物业服务区域', 2)).toBe('华兴街38号院物业服务区域（二）');
    expect(splitPartName('华兴街38号院物业服务区域', 3)).toBe('华兴街38号院物业服务区域（三）');
    expect(splitPartName('X', 2)).not.toBe('X');
    expect(splitPartName('X', 12)).toBe('X（12）');
  });
});
