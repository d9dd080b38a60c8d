import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CheckCase } from '../../tests/fixtures/checks/generate.ts';
import { createCheckContext } from './context.ts';
import { checkServiceArea } from './service-area.ts';

const dir = new URL('../../tests/fixtures/checks/cases/', import.meta.url);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as CheckCase);

// The same files run through PostGIS in tests/db/checks-agree.test.ts.
describe('checkServiceArea on the fixture cases', () => {
  it('has the cases', () => expect(cases.length).toBeGreaterThan(25));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ctx = createCheckContext({
      areas: c.neighbours,
      buildings: c.buildings,
      jurisdiction: c.jurisdiction,
    });
    const r = checkServiceArea(c.area, ctx, { id: c.id });
    expect(r.issues.map((i) => i.code)).toEqual(c.expect);
    if (c.expectBuildings !== undefined) expect(r.stats.buildings).toBe(c.expectBuildings);
  });
});
