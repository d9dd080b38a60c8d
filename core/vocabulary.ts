/**
 * The domain's words, defined once for the client, the server, the CLI and the migrations' CHECKs.
 * Every enum here has a CHECK constraint of the same values in migrations/0001_schema.sql.
 */

/** 小区 category: 专业物业 / 自管小区 / 三无小区. */
export const COMPOUND_CATEGORIES = ['professional', 'self_managed', 'three_no'] as const;
export type CompoundCategory = (typeof COMPOUND_CATEGORIES)[number];

/** 管理模式 of a 物业服务区域: 专业物业管理型 / 居民自管型 / 社区托管型. */
export const MANAGEMENT_MODES = ['professional', 'resident_self', 'community_custodial'] as const;
export type ManagementMode = (typeof MANAGEMENT_MODES)[number];

export const AREA_STATUSES = ['draft', 'approved'] as const;
export type AreaStatus = (typeof AREA_STATUSES)[number];

export const JURISDICTION_LEVELS = ['district', 'street', 'community'] as const;
export type JurisdictionLevel = (typeof JURISDICTION_LEVELS)[number];

/** Video programmes: 雪亮工程 / 天网 / 慧眼工程. */
export const CAMERA_SYSTEMS = ['xueliang', 'tianwang', 'huiyan', 'other'] as const;
export type CameraSystem = (typeof CAMERA_SYSTEMS)[number];

export const CAMERA_TYPES = ['fixed', 'dome', 'ptz'] as const;
export type CameraType = (typeof CAMERA_TYPES)[number];

export const CAMERA_STATUSES = ['active', 'offline', 'planned'] as const;
export type CameraStatus = (typeof CAMERA_STATUSES)[number];

export const GATE_KINDS = ['vehicle', 'pedestrian', 'unit_door'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

export const ROLES = ['city_admin', 'street_editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** 五有: the five targets; each is met / partly / not met. */
export const FIVE_TARGETS = [
  'wy_self_governance', // 有业主自治组织
  'wy_security', // 有安全防护设施
  'wy_basic_service', // 有基本物业服务
  'wy_clean_environment', // 有干净整洁环境
  'wy_long_term_mechanism', // 有长效管理机制
] as const;
export type FiveTarget = (typeof FIVE_TARGETS)[number];
export const TARGET_STATES = ['met', 'partly', 'not_met'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** Data layers: the names used in URLs (/tiles/<layer>/…, /api/<layer>, import --layer). */
export const DATA_LAYERS = [
  'buildings',
  'compounds',
  'service-areas',
  'jurisdictions',
  'cameras',
  'gates',
] as const;
export type DataLayer = (typeof DATA_LAYERS)[number];
/** Tile layers: the data layers plus the basemap (roads, water, blocks). */
export const TILE_LAYERS = [...DATA_LAYERS, 'basemap'] as const;
export type TileLayer = (typeof TILE_LAYERS)[number];

export function isOneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}
