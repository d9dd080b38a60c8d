export * from './codes.ts';
export * from './context.ts';
export * from './input.ts';
export { checkServiceArea, selfIntersections, type CheckOptions } from './service-area.ts';
export { clipAgainstNeighbours, type ClipResult } from './clip.ts';
export { EdgeSet, EPS_DEG } from './edges.ts';
export { overlapArea, type OverlapMeasure } from './overlap.ts';
export { relate, type Relation } from './relate.ts';
