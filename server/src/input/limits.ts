/**
 * The bounds every request is held to before any handler sees it (issue 10 #2): a body or query
 * value outside them is a 400 naming the bound, never work for the database.
 */
export const INPUT_LIMITS = {
  /** Deepest nesting of arrays and objects in a JSON body (a GeoJSON polygon in a Feature is 5). */
  jsonDepth: 32,
  /** Longest string anywhere in a JSON body; fields have their own, tighter limits. */
  stringLength: 10_000,
  /** Longest object key in a JSON body. */
  keyLength: 200,
  /** Longest query parameter value (a bbox is ~60 characters). */
  queryLength: 2_000,
  /** Most query parameters one request may carry. */
  queryParameters: 50,
} as const;
