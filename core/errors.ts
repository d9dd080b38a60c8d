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
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
