/**
 * Encoded tiles kept in memory, bounded by their total bytes, least recently used out first. Keys
 * carry the layer version read from the database for the request, so an entry is only ever found by
 * a request that saw the same data.
 */
export class TileCache {
  private readonly entries = new Map<string, Buffer>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Buffer | undefined {
    const v = this.entries.get(key);
    if (v !== undefined) {
      // Map keeps insertion order: re-inserting makes it the most recent.
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }

  set(key: string, value: Buffer): void {
    // The key's own length counts too, so empty tiles are not free.
    const cost = value.byteLength + key.length;
    if (cost > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.used -= old.byteLength + key.length;
    }
    this.entries.set(key, value);
    this.used += cost;
    for (const [k, v] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= v.byteLength + k.length;
    }
  }
}
