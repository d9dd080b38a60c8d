/**
 * The synthetic demo city of 遂宁 船山区 (see SYNTHETIC_NOTE): a deterministic generator the seed
 * loader (server/src/seed.ts) streams into the database.
 */
export { demoCity, DEFAULT_SEED } from './city.ts';
export type {
  BlockRow,
  BuildingRow,
  CameraRow,
  CityChunk,
  CompoundRow,
  DemoCity,
  GateRow,
  ServiceAreaRow,
} from './city.ts';
export type { Jurisdiction } from './jurisdictions.ts';
export type { RoadRow, WaterRow } from './layout.ts';
export type { FlatRing } from './geo.ts';
export { SYNTHETIC_NOTE, DISTRICT, STREETS } from './names.ts';
