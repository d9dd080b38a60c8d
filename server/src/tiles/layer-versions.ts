import type { Queryable } from '../db/index.ts';

const VERSIONS_SQL = `SELECT string_agg(layer || ':' || version || ':' || (extract(epoch FROM changed_at) * 1000000)::bigint, ' ') AS v
FROM layer_versions`;

/** A layer's row in `layer_versions`: its counter and when it last changed (microseconds). */
export interface LayerVersion {
  version: number;
  changedAt: number;
}

export type VersionTable = ReadonlyMap<string, LayerVersion>;

/**
 * Reads `layer_versions` (bumped by statement triggers in the same transaction as every change)
 * once per request, coalescing: requests that arrive while a read is in flight share the NEXT
 * read, which starts after they arrived. So every request sees each commit made before it arrived,
 * whichever app process made it, while a burst of requests costs at most two queries at a time.
 */
export class LayerVersions {
  private running: Promise<VersionTable> | undefined;
  private next: Promise<VersionTable> | undefined;

  constructor(private readonly read: () => Promise<VersionTable>) {}

  static fromDb(db: Queryable): LayerVersions {
    return new LayerVersions(async () => {
      // One text value, a prepared statement: this runs on every tile request, so it is kept tiny.
      const r = await db.query<{ v: string }>(VERSIONS_SQL, [], { name: 'tile_layer_versions' });
      const table = new Map<string, LayerVersion>();
      for (const entry of r.rows[0]?.v.split(' ') ?? []) {
        const [layer, version, changedAt] = entry.split(':');
        table.set(layer!, { version: Number(version), changedAt: Number(changedAt) });
      }
      return table;
    });
  }

  /** The versions as of some moment after this call. */
  current(): Promise<VersionTable> {
    if (!this.running) return this.start();
    if (!this.next) {
      const ignore = () => undefined;
      this.next = this.running.then(ignore, ignore).then(() => {
        this.next = undefined;
        return this.start();
      });
    }
    return this.next;
  }

  private start(): Promise<VersionTable> {
    const p = this.read();
    this.running = p;
    const clear = () => {
      if (this.running === p) this.running = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
