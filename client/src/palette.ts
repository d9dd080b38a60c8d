import type { CompoundCategory, ManagementMode } from '../../core/vocabulary.ts';

/**
 * The map's colours, shared by the style (client/src/map/style.ts) and the legend so the two never
 * disagree. Buildings: 三无 red, 自管 amber, 专业物业 blue, unknown grey; an uncovered building is drawn
 * strong, a covered one (inside a 物业服务区域) pale.
 */
export const BUILDING_COLOURS: Record<CompoundCategory | 'unknown', { uncovered: string; covered: string }> =
  {
    three_no: { uncovered: '#d7301f', covered: '#f3a89e' },
    self_managed: { uncovered: '#e08a00', covered: '#f6cf8a' },
    professional: { uncovered: '#2f6db5', covered: '#a9c4e6' },
    unknown: { uncovered: '#8c8c8c', covered: '#cfcfcf' },
  };
/** Outline of an uncovered 三无 building: the thing the street office has to act on. */
export const UNCOVERED_THREE_NO_OUTLINE = '#7f0000';

/** Compound (小区) fills below the zoom where buildings appear. */
export const COMPOUND_COLOURS: Record<CompoundCategory, string> = {
  three_no: '#e0604f',
  self_managed: '#eba33a',
  professional: '#5b8fd0',
};

export const SERVICE_AREA_COLOURS: Record<ManagementMode, string> = {
  professional: '#1f5fa8',
  resident_self: '#2e8540',
  community_custodial: '#7a3fb0',
};

export const BASEMAP_COLOURS = {
  background: '#f5f3ee',
  blocks: '#ebe8e1',
  water: '#a8d1ee',
  waterLabel: '#3a6f98',
  arterial: '#fbd679',
  arterialCasing: '#d9a83a',
  secondary: '#ffffff',
  secondaryCasing: '#aaa291',
  local: '#ffffff',
  localCasing: '#bdb6a6',
  roadLabel: '#555049',
};

export const JURISDICTION_COLOURS = { district: '#4a4a5a', street: '#6b5b95', community: '#9a8fb5' };

export const CAMERA_COLOURS = {
  xueliang: '#c2185b',
  tianwang: '#00838f',
  huiyan: '#6a1b9a',
  other: '#546e7a',
};
export const GATE_COLOURS = { vehicle: '#37474f', pedestrian: '#5d4037', unit_door: '#8d6e63' };

export const SELECTION_COLOUR = '#00e5ff';
