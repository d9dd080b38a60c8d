import type { Router } from 'express';
import { validateGateInput } from '../../../core/cameras/index.ts';
import { pointLayerRouter } from '../cameras/point-layer-router.ts';
import type { AppContext } from '../context.ts';

/** /api/gates (小区大门 and 单元门): the same CRUD rules as cameras and service areas. */
export const gatesRouter = (ctx: AppContext): Router => pointLayerRouter(ctx, 'gates', validateGateInput);
