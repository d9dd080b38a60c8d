import type { Router } from 'express';
import { validateCameraInput } from '../../../core/cameras/index.ts';
import { pointLayerRouter } from '../cameras/point-layer-router.ts';
import type { AppContext } from '../context.ts';

/** /api/cameras (摄像机): CRUD with If-Match versions and history; inside a building only if indoor. */
export const camerasRouter = (ctx: AppContext): Router =>
  pointLayerRouter(ctx, 'cameras', validateCameraInput);
