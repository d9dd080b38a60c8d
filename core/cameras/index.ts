/**
 * Camera records from the sources the city has: OpenStreetMap surveillance tags and GB/T 28181 device
 * catalogues (雪亮/天网 platforms), with problems by row and field; plus the checks of the API's input.
 */
export {
  compassBearing,
  normBearing,
  parseDirection,
  type DirectionResult,
  type ParsedView,
} from './direction.ts';
export { GBT28181_COLUMNS, camerasFromGbt28181, isGbt28181Header } from './gbt28181.ts';
export { camerasFromOsm, camerasFromOsmFeature } from './osm.ts';
export {
  DEFAULT_FOV,
  DEFAULT_RANGE_M,
  MAX_RANGE_M,
  cameraImportFeature,
  readNumber,
  sectorProblems,
  type CameraAttributes,
  type CameraRecord,
  type RowProblem,
} from './record.ts';
export {
  CAMERA_FIELDS,
  GATE_FIELDS,
  validateCameraInput,
  validateGateInput,
  type GateAttributes,
  type PointInputProblem,
  type PointInputResult,
} from './input.ts';
