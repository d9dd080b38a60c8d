/** The error body every 4xx/5xx answer of the API carries. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Error codes of the API, one vocabulary for the server's answers and the client's messages. */
export const ERROR_CODES = [
  'bad_request',
  'invalid_bbox',
  'invalid_tile',
  'invalid_geojson',
  'invalid_geometry',
  'invalid_attribute',
  'unknown_layer',
  'not_found',
  'unauthorized',
  'forbidden',
  'out_of_jurisdiction',
  'payload_too_large',
  'version_conflict',
  'precondition_required',
  'validation_failed',
  'timeout',
  'rate_limited',
  'unavailable',
  'password_change_required',
  'weak_password',
  'username_taken',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Why an error happened, finer than its code: the server puts one in `details.reason` beside the
 * params the client words it with (`details` is the params), and keeps `message` as an English
 * fallback for API users. Each reason belongs to one ErrorCode.
 */
export const ERROR_REASONS = {
  /** A field left empty that must be filled: { field }. */
  required: 'invalid_attribute',
  /** Login: no such user or the wrong password. */
  wrong_credentials: 'unauthorized',
  /** A write without a token. */
  sign_in_first: 'unauthorized',
  /** A token that is malformed, forged or past its time. */
  session_expired: 'unauthorized',
  /** A viewer account tried to write. */
  read_only: 'forbidden',
  /** A street editor's write on a compound of another street: { street_code, compound_street_code }. */
  compound_other_street: 'out_of_jurisdiction',
  /** A street editor's write on a feature outside their street: { street_code }. */
  outside_street: 'out_of_jurisdiction',
  /** A survey import confirmed a second time: { import_id }. */
  survey_applied_already: 'validation_failed',
  /** A confirmed survey row with problems: { row }. */
  survey_row_invalid: 'invalid_attribute',
  /** A confirmed survey row names no compound: { row, compound_id }. */
  survey_row_unknown_compound: 'invalid_attribute',
  /** The uploaded survey file cannot be read or has no header: { format? }. */
  survey_unreadable: 'bad_request',
  /** The uploaded survey file's first row names neither 小区名称 nor 小区编码. */
  survey_no_header: 'bad_request',
  /** A password shorter than the policy's minimum: { min }. */
  password_too_short: 'weak_password',
  password_too_long: 'weak_password',
  /** A password on the list of the most common ones. */
  password_common: 'weak_password',
  password_same_as_username: 'weak_password',
  password_one_character: 'weak_password',
  /** A new password equal to the current one. */
  password_unchanged: 'weak_password',
  /** Changing one's password with a wrong current password. */
  wrong_current_password: 'forbidden',
  /** A city admin demoting or disabling their own account. */
  own_account: 'forbidden',
  /** Only a city admin may manage users and read the audit log. */
  admin_only: 'forbidden',
  /** An export asked for a street code that is no 街道: { street }. */
  unknown_street: 'bad_request',
  /** An export asked for a 社区 code that is no 社区: { community }. */
  unknown_community: 'bad_request',
  /** An export asked for a district code that is no district: { district }. */
  unknown_district: 'bad_request',
  /** An export narrowed by what its layer cannot be narrowed by (only the uncovered buildings take a 社区, district or category): { filter, layer }. */
  filter_not_supported: 'bad_request',
  /** An export asked for a text encoding other than utf-8 / gbk: { encoding }. */
  unknown_encoding: 'bad_request',
  /** An export asked for a CRS other than 4326 / 4490: { srs }. */
  unknown_srs: 'bad_request',
  /** An XLSX export of an outline longer than an Excel cell holds: { column, feature }. */
  cell_too_long: 'validation_failed',
  /** A GBK export of text GBK cannot store: { column, feature, char }. */
  not_in_encoding: 'validation_failed',
  /** An import file too large for the page: { maxMb }. */
  import_too_large: 'payload_too_large',
  /** An import file of no bytes at all. */
  import_empty: 'bad_request',
  /** An import file that cannot be read (format, CRS): { problems }. */
  import_unreadable: 'bad_request',
  /** A street editor importing a layer only the city admin writes (compounds, buildings, 行政区划): { layer }. */
  import_layer_not_allowed: 'forbidden',
  /** An import with problems; nothing written: { problems }. */
  import_refused: 'validation_failed',
  /** A fixed value (固定值) the field cannot hold: { field: 'fixed', problems }. */
  import_fixed_value: 'bad_request',
  /** Too many failed sign-ins for this username or address: { retryAfterS }. */
  locked_out: 'rate_limited',
  /** An offline basemap file that is neither MBTiles (SQLite) nor PMTiles. */
  basemap_unknown_format: 'bad_request',
  /** An MBTiles without a tiles table, or a file with no tiles at all: { container }. */
  basemap_no_tiles: 'bad_request',
  /** A basemap file that cannot be read (not a database, PMTiles header broken): { container }. */
  basemap_corrupt: 'bad_request',
  /** Tiles of a format the map cannot draw: { format, container }. */
  basemap_unsupported_tiles: 'bad_request',
  /** A basemap over the upload limit, or an MBTiles over the in-memory limit: { maxMb }. */
  basemap_too_large: 'payload_too_large',
  /** The upload of a basemap broke off before its end. */
  basemap_upload_broken: 'bad_request',
  /** More open live-update streams (/api/events) than one user or address may hold: { max }. */
  too_many_streams: 'rate_limited',
  /** A kept heavy read (a street's gaps, proposals) took longer than the limit and is being finished: ask again after { retry_after_s }. */
  still_computing: 'timeout',
  /** A registered basemap whose file is gone or damaged. */
  basemap_unreadable: 'not_found',
} as const satisfies Record<string, ErrorCode>;
export type ErrorReason = keyof typeof ERROR_REASONS;

/** The problem codes of one survey row, worded by the client: { value, max }. */
export const SURVEY_PROBLEMS = [
  'bad_category',
  'bad_households',
  'bad_target_state',
  'too_long',
  'missing_name_or_code',
] as const;
export type SurveyProblem = (typeof SURVEY_PROBLEMS)[number];
