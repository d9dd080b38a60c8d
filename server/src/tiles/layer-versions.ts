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
 * The layer versions a tile request keys on, in two modes.
 *
 * Live (the change feed is listening): the versions are kept in memory from the feed's
 * notifications (`apply`), and a request costs no database round trip. A commit made through this
 * process (`invalidate`, called as its COMMIT returns) makes the next request read once, so a client
 * never sees a tile older than its own save even before the notification arrives.
 *
 * Not live (no feed yet, or its connection is lost): `layer_versions` is read per request,
 * coalescing: requests that arrive while a read is in flight share the NEXT read, which starts after
 * they arrived. So every request sees each commit made before it arrived, whichever app process made
 * it, while a burst of requests costs at most two queries at a time. `feedUp` goes live again only
 * after a read that started once LISTEN had taken effect, so no commit falls between the two.
 */
export class LayerVersions {
  private running: Promise<VersionTable> | undefined;
  private next: Promise<VersionTable> | undefined;
  private readonly known = new Map<string, LayerVersion>();
  private live = false;
  /** Bumped by every feed state change: a catch-up read from an older generation does not go live. */
  private generation = 0;
  /** Local commits not yet covered by a read that started after them. */
  private dirty = 0;
  private clean = 0;

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

  /** Whether versions come from memory (the feed is listening and caught up). */
  get isLive(): boolean {
    return this.live;
  }

  /** The versions in memory when they are current; undefined when a request must read (`current`). */
  now(): VersionTable | undefined {
    return this.live && this.dirty === this.clean ? this.known : undefined;
  }

  /** The versions as of some moment after this call. */
  current(): Promise<VersionTable> {
    const ready = this.now();
    if (ready) return Promise.resolve(ready);
    const dirty = this.dirty;
    return this.coalesced().then((t) => {
      this.merge(t);
      if (dirty > this.clean) this.clean = dirty;
      return this.live ? this.known : t;
    });
  }

  /** Versions a notification carried (layer → [version, changed_at µs]). */
  apply(layers: Readonly<Record<string, readonly [number, number]>>): void {
    for (const [layer, [version, changedAt]] of Object.entries(layers)) {
      const had = this.known.get(layer);
      if (!had || had.version < version) this.known.set(layer, { version, changedAt });
    }
  }

  /** A commit through this process queued a change: the next request reads once. */
  invalidate(): void {
    this.dirty++;
  }

  /** LISTEN took effect: read once more, then serve from memory. */
  async feedUp(): Promise<void> {
    const generation = ++this.generation;
    const dirty = this.dirty;
    const t = await this.coalesced();
    if (generation !== this.generation) return;
    this.merge(t);
    if (dirty > this.clean) this.clean = dirty;
    this.live = true;
  }

  /** The listening connection is lost: read per request until `feedUp`. */
  feedDown(): void {
    this.generation++;
    this.live = false;
  }

  private merge(t: VersionTable): void {
    for (const [layer, v] of t) {
      const had = this.known.get(layer);
      if (!had || had.version < v.version) this.known.set(layer, v);
    }
  }

  /** A read that starts after this call (shared with other callers that arrived meanwhile). */
  private coalesced(): Promise<VersionTable> {
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
