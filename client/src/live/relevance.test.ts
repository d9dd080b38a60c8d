import { describe, expect, it } from 'vitest';
import { fromOutside, type ChangeEvent } from '../../../core/change-event.ts';
import { changesAreaLists, changesCompound, changesFigures, inPlace } from './relevance.ts';

const event = (over: Partial<ChangeEvent> & { street?: string | null }): ChangeEvent => ({
  id: 1,
  at: '2026-12-02T00:00:00Z',
  kind: 'update',
  layers: {},
  changes: {},
  truncated: false,
  bbox: null,
  actor: { username: 'ann', streetCode: over.street ?? null, streetName: null },
  ...over,
});

const CITY = { level: 'city' };
const DISTRICT = { level: 'district', code: '510903' };
const STREET_A = { level: 'street', code: '510903001' };
const STREET_B = { level: 'street', code: '510903002' };

describe('issue 12: which feed events make an open panel read again', () => {
  it('a saved area changes the figures of its street, its district and the city, not of another street', () => {
    const e = event({ kind: 'create', changes: { 'service-areas': { insert: [7] } }, street: '510903001' });
    expect(changesFigures(e, CITY)).toBe(true);
    expect(changesFigures(e, DISTRICT)).toBe(true);
    expect(changesFigures(e, STREET_A)).toBe(true);
    expect(changesFigures(e, STREET_B)).toBe(false);
    expect(changesFigures(e, { level: 'district', code: '510904' })).toBe(false);
    expect(changesAreaLists(e, '510903001')).toBe(true);
    expect(changesAreaLists(e, '510903002')).toBe(false);
  });

  it('a change with no street (a city-level camera) may be anywhere: every place reads again', () => {
    const e = event({ changes: { cameras: { update: [3] } }, street: null });
    expect(inPlace(e, STREET_B)).toBe(true);
    expect(changesFigures(e, STREET_B)).toBe(true);
    // ... but a camera does not move gaps or proposals
    expect(changesAreaLists(e, '510903002')).toBe(false);
  });

  it('a ledger item changes the figures (ledger counts) but not the gaps', () => {
    const e = event({ changes: { ledger: { insert: [12] } }, street: '510903001' });
    expect(changesFigures(e, STREET_A)).toBe(true);
    expect(changesAreaLists(e, '510903001')).toBe(false);
  });

  it('an import touches everything', () => {
    const e = event({ kind: 'import', truncated: true, street: '510903002' });
    expect(changesAreaLists(e, '510903002')).toBe(true);
    expect(changesCompound(e, 5, '510903001')).toBe(true);
  });

  it("a compound's card: its own ledger items and row, and areas, cameras, gates of its street", () => {
    expect(changesCompound(event({ changes: { ledger: { update: [5] } } }), 5, '510903001')).toBe(true);
    expect(changesCompound(event({ changes: { ledger: { update: [6] } } }), 5, '510903001')).toBe(false);
    expect(changesCompound(event({ changes: { compounds: { update: [5] } } }), 5, '510903001')).toBe(true);
    const gateHere = event({ changes: { gates: { insert: [1] } }, street: '510903001' });
    const gateThere = event({ changes: { gates: { insert: [1] } }, street: '510903002' });
    expect(changesCompound(gateHere, 5, '510903001')).toBe(true);
    expect(changesCompound(gateThere, 5, '510903001')).toBe(false);
  });

  it("issue 12: another user's 五有 assessment of the compound reads its card again, not another compound's", () => {
    const e = event({ changes: { assessments: { insert: [5] } }, street: '510903001' });
    expect(changesCompound(e, 5, '510903001')).toBe(true);
    expect(changesCompound(e, 6, '510903001')).toBe(false);
    expect(changesFigures(e, STREET_A)).toBe(true);
  });

  it('issue 12: a change outside the view (ids withheld) still reads the cards and figures of its street', () => {
    const e = fromOutside({ id: 9, layers: {}, changed: ['assessments'], street: '510903001' });
    expect(changesCompound(e, 5, '510903001')).toBe(true);
    expect(changesCompound(e, 5, '510903002')).toBe(false);
    expect(changesFigures(e, CITY)).toBe(true);
    expect(changesFigures(e, STREET_B)).toBe(false);
    const areas = fromOutside({
      id: 10,
      layers: { 'service-areas': [3, 1] },
      changed: ['service-areas'],
      street: '510903002',
    });
    expect(changesAreaLists(areas, '510903002')).toBe(true);
    expect(changesCompound(areas, 5, '510903001')).toBe(false);
  });
});
