import { describe, expect, it } from 'vitest';
import { LayerVersions, type VersionTable } from './layer-versions.ts';

/** A version source whose reads finish only when the test says so; `value` is what a read started now sees. */
function source() {
  let value = 1;
  const pending: Array<() => void> = [];
  let reads = 0;
  const read = () => {
    reads++;
    const seen = value;
    return new Promise<VersionTable>((resolve) =>
      pending.push(() => resolve(new Map([['buildings', { version: seen, changedAt: 0 }]]))),
    );
  };
  return {
    read,
    commit: () => value++,
    finishOne: async () => {
      pending.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    },
    get reads() {
      return reads;
    },
  };
}

const v = (t: VersionTable) => t.get('buildings')!.version;

describe('LayerVersions', () => {
  it('never answers a request with a read that started before it arrived', async () => {
    const s = source();
    const lv = new LayerVersions(s.read);
    const a = lv.current(); // starts read #1 (sees 1)
    s.commit(); // a commit lands while read #1 is in flight
    const b = lv.current(); // arrived after the commit: must not share read #1
    const c = lv.current(); // shares b's read
    expect(s.reads).toBe(1);
    await s.finishOne();
    expect(v(await a)).toBe(1);
    expect(s.reads).toBe(2); // the next read starts once the first is done
    await s.finishOne();
    expect(v(await b)).toBe(2);
    expect(v(await c)).toBe(2);
  });

  it('coalesces a burst into at most two reads', async () => {
    const s = source();
    const lv = new LayerVersions(s.read);
    const all = Array.from({ length: 50 }, () => lv.current());
    await s.finishOne();
    await s.finishOne();
    await Promise.all(all);
    expect(s.reads).toBe(2);
  });

  it('reads again for a request after the last read finished', async () => {
    const s = source();
    const lv = new LayerVersions(s.read);
    const a = lv.current();
    await s.finishOne();
    await a;
    s.commit();
    const b = lv.current();
    await s.finishOne();
    expect(v(await b)).toBe(2);
    expect(s.reads).toBe(2);
  });

  it('passes a failed read to its waiters and recovers on the next', async () => {
    let fail = true;
    const lv = new LayerVersions(async () => {
      if (fail) throw new Error('connection lost');
      return new Map();
    });
    await expect(lv.current()).rejects.toThrow('connection lost');
    fail = false;
    await expect(lv.current()).resolves.toBeInstanceOf(Map);
  });
});

describe('LayerVersions fed by the change feed (issue 12)', () => {
  it('goes live only after a read that started once LISTEN took effect, then reads nothing', async () => {
    const s = source();
    const lv = new LayerVersions(s.read);
    expect(lv.now()).toBeUndefined();
    const up = lv.feedUp();
    expect(lv.isLive).toBe(false);
    await s.finishOne();
    await up;
    expect(lv.isLive).toBe(true);
    const before = s.reads;
    lv.apply({ buildings: [7, 123] });
    expect(v(await lv.current())).toBe(7);
    expect(lv.now()?.get('buildings')).toEqual({ version: 7, changedAt: 123 });
    lv.apply({ buildings: [6, 100] }); // an older notification never lowers a version
    expect(v(lv.now()!)).toBe(7);
    expect(s.reads).toBe(before);
  });

  it("reads once after this process's own commit, before its notification arrives", async () => {
    const s = source();
    const lv = new LayerVersions(s.read);
    const up = lv.feedUp();
    await s.finishOne();
    await up;
    s.commit();
    s.commit(); // the database now says 3; memory still says 1
    lv.invalidate();
    expect(lv.now()).toBeUndefined();
    const a = lv.current();
    await s.finishOne();
    expect(v(await a)).toBe(3);
    expect(v(lv.now()!)).toBe(3); // back to memory
  });

  it('falls back to a read per request while the feed is down, and a stale catch-up read does not go live', async () => {
    const s = source();
    const lv = new LayerVersions(s.read);
    const up = lv.feedUp();
    lv.feedDown(); // lost again before the catch-up read finished
    await s.finishOne();
    await up;
    expect(lv.isLive).toBe(false);
    const a = lv.current();
    expect(s.reads).toBe(2);
    await s.finishOne();
    await a;
  });
});
