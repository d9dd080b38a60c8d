import type { Db } from './db/index.ts';

// Placeholder: the demo-city loader.
export async function seedDemoCity(_db: Db, _opts: { buildings: number }): Promise<Record<string, number>> {
  return {};
}
