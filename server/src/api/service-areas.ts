import { Router } from 'express';
import type { AppContext } from '../app.ts';

// Placeholder: filled in by its feature.
export function serviceAreasRouter(_ctx: AppContext): Router {
  return Router();
}
