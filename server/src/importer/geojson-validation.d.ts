// The parts of geojson-validation (no bundled types) the importer calls: with trace=true each returns
// the list of problems, empty when the object is valid.
declare module 'geojson-validation' {
  export function isFeature(feature: unknown, trace: true): string[];
  export function isGeometryObject(geometry: unknown, trace: true): string[];
  export function isFeatureCollection(fc: unknown, trace: true): string[];
  export function isBbox(bbox: unknown, trace: true): string[];
  const gjv: {
    isFeature: typeof isFeature;
    isGeometryObject: typeof isGeometryObject;
    isFeatureCollection: typeof isFeatureCollection;
    isBbox: typeof isBbox;
  };
  export default gjv;
}
