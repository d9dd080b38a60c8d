import { Router, type Request } from 'express';
import {
  CHANGE_LAYERS,
  meetsView,
  type ChangeEvent,
  type ChangeLayer,
  type OutsideEvent,
} from '../../../core/change-event.ts';
import { TILE_LAYERS } from '../../../core/vocabulary.ts';
import type { AppContext } from '../context.ts';
import type { FeedEvent } from '../feed/change-feed.ts';
import { HttpError, badRequest } from '../errors.ts';
import { parseBbox, route, type Bbox } from '../http.ts';

/** How long a stream ticket opens GET /api/events for. */
export const TICKET_TTL_S = 60;
const PURPOSE = 'events';

/**
 * Live updates (issue 12): `GET /api/events` streams the change feed as Server-Sent Events.
 *
 * - Auth: EventSource cannot send an Authorization header, and a bearer token in a URL would be
 *   written to access logs, proxies and the browser's history for its 12 hours. So the client first
 *   asks `POST /api/events/ticket` (bearer token) for a ticket valid 60 s that opens only this stream
 *   (server/src/auth.ts signTicket) and passes it as `?ticket=`. A ticket is not a token and a token
 *   is not a ticket. The Authorization header is not read here at all, so no request with a token
 *   alone can open an endless response. An anonymous client gets no ticket, so no stream.
 * - Rights: every layer the feed carries (areas, cameras, gates, compounds, ledger items, 五有
 *   assessments, tile layer versions) is readable by anyone — their GET routes and tiles need no
 *   sign-in and their SELECT policies (migrations 0013, 0014) are `USING (true)` — so no event is
 *   withheld by role, and every client (viewer, street editor, city admin) gets the same events.
 *   What is not public is who made a change: a signed-in client is told the writer's username and
 *   街道, as its toast shows them ("凯旋路街道 · 张三 修改了 …"), never the internal user id, and only
 *   the layers the feed is known to carry (forClient: built field by field, so nothing new in the
 *   log reaches a client unless added here).
 * - Revocation: the stream lasts only while its user is signed in as when the ticket was given.
 *   Before each event is sent the user is checked still valid (auth.stillValid: one query per event
 *   for every stream of the process), so no change committed after a logout, disable, demotion or
 *   password reset reaches the stream, which then gets `event: signed-out` `{"reason":"revoked"}` and
 *   ends; the heartbeat checks too, so a quiet stream ends within EVENTS_HEARTBEAT_S. The stream also
 *   ends (`{"reason":"expired"}`) when the bearer token that asked for its ticket expires. A check
 *   that fails (the database unreachable) ends the stream without a word; the client opens it again
 *   with a new ticket, which needs a valid token.
 * - Resuming: each event's `id:` is its change_events id; `Last-Event-ID` (or `?lastEventId=` when a
 *   client opens a new EventSource with a new ticket) replays what was missed from the log; past
 *   the log's reach a `reset` event tells the client to reload what it shows.
 * - View (`?bbox=w,s,e,n`, optionally `&street=<code>`): an event whose box meets the view, or that
 *   has no box (an import, a ledger item of a compound without outline: anywhere), or whose street is
 *   the one asked for, comes whole as `event: change` (ids, box, who). Every other event comes as
 *   `event: versions` (core OutsideEvent): the tile layer versions it bumped, the layers it changed
 *   and its street, without ids, box or name. Correctness holds without the view: every layer
 *   version reaches every client, which drops what it cached of those layers outside its view (the
 *   view it sends is padded past its loaded tiles, so no tile it shows can have changed), and panels
 *   showing a place (a city's figures, a compound's card) still learn that a layer changed in a
 *   street. Each id reaches the client, so a resume never replays it.
 * - A new view is a new stream: the client closes it and opens one with the new bbox, a new ticket
 *   and `?lastEventId=` of the last id it saw (LiveFeed.setView, debounced while the user pans).
 *   Nothing is lost in between (the log replays it, filtered to the new view), and no process keeps
 *   a subscription: any instance behind the proxy can serve the next stream.
 * - Heartbeat comments every EVENTS_HEARTBEAT_S; at most EVENTS_PER_USER / EVENTS_PER_ADDRESS open
 *   streams (429 too_many_streams); everything is released when the client goes, and shutdown ends
 *   every stream (ChangeFeed.endStreams).
 */
export function eventsRouter(ctx: AppContext): Router {
  const { auth, feed, config, logger } = ctx;
  const perUser = new Map<number, number>();
  const perAddress = new Map<string, number>();
  const router = Router();

  router.post(
    '/ticket',
    auth.required(),
    route(async (req, res) => {
      const ticket = await auth.signTicket(PURPOSE, req.user!.id, TICKET_TTL_S, req.tokenExpiresAt!);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ ticket, expiresInS: TICKET_TTL_S });
    }),
  );

  router.get(
    '/',
    route(async (req, res) => {
      const ticket = req.query.ticket;
      if (typeof ticket !== 'string' || ticket === '')
        throw new HttpError(401, 'unauthorized', 'This needs ?ticket= from POST /api/events/ticket', {
          reason: 'sign_in_first',
        });
      const view = parseBbox(req.query.bbox, false) ?? null;
      const street = parseStreet(req.query.street);
      const since = lastEventId(req);
      const { user, tokenVersion, until } = await auth.verifyTicket(PURPOSE, ticket);
      const address = req.ip ?? '';
      const limit = (n: number | undefined, max: number) => {
        if ((n ?? 0) >= max)
          throw new HttpError(429, 'rate_limited', `At most ${max} open event streams`, {
            reason: 'too_many_streams',
            max,
          });
      };
      limit(perUser.get(user.id), config.feed.streamsPerUser);
      limit(perAddress.get(address), config.feed.streamsPerAddress);
      perUser.set(user.id, (perUser.get(user.id) ?? 0) + 1);
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);

      let open = true;
      let replaying = true;
      const held: FeedEvent[] = [];
      let lastSent = since ?? 0;
      const send = (e: FeedEvent) => {
        if (!open || e.id <= lastSent) return;
        lastSent = e.id;
        res.write(frame(forClient(e), view, street));
      };
      const signOut = (reason: 'revoked' | 'expired') => {
        if (!open) return;
        res.write(`event: signed-out\ndata: ${JSON.stringify({ reason })}\n\n`);
        end();
      };
      /** Is the user still signed in as the ticket said? Asked after the events it clears were committed. */
      const check = (): Promise<boolean> =>
        auth.stillValid(user.id, tokenVersion).then(
          (ok) => {
            if (!ok) signOut('revoked');
            return ok && open;
          },
          (err: unknown) => {
            logger.warn({ err }, 'events: checking the stream user failed; ending the stream');
            end();
            return false;
          },
        );
      // Events go out in order, each once a check begun after it arrived has passed.
      let gate = Promise.resolve();
      const deliver = (e: FeedEvent) => {
        const ok = check();
        gate = gate.then(async () => {
          if (await ok) send(e);
        });
      };
      const unsubscribe = feed.subscribe((e) => (replaying ? held.push(e) : deliver(e)));
      const end = () => {
        if (!open) return;
        open = false;
        unsubscribe();
        unhold();
        clearInterval(beat);
        clearTimeout(expiry);
        const u = (perUser.get(user.id) ?? 1) - 1;
        if (u > 0) perUser.set(user.id, u);
        else perUser.delete(user.id);
        const a = (perAddress.get(address) ?? 1) - 1;
        if (a > 0) perAddress.set(address, a);
        else perAddress.delete(address);
        if (!res.writableEnded) res.end();
      };
      const unhold = feed.holdOpen(end);
      res.on('close', end);
      const beat = setInterval(() => {
        res.write(': heartbeat\n\n');
        void check();
      }, config.feed.heartbeatS * 1000);
      beat.unref();
      // The token's 12 hours at most, within setTimeout's range.
      const expiry = setTimeout(() => signOut('expired'), Math.max(0, until * 1000 - Date.now()));
      expiry.unref();

      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        // Each stream is its own connection: closed with the stream, so shutdown never waits on it.
        Connection: 'close',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      try {
        if (since === undefined) {
          const last = await feed.lastId();
          lastSent = Math.max(lastSent, last);
          res.write(`id: ${last}\nevent: ready\ndata: {"lastEventId":${last}}\n\n`);
        } else {
          const missed = await feed.since(since);
          if (missed.reset) {
            const last = await feed.lastId();
            lastSent = Math.max(lastSent, last);
            res.write(`id: ${last}\nevent: reset\ndata: {"lastEventId":${last}}\n\n`);
          } else {
            for (const e of missed.events) deliver(e);
            await gate;
            if (!open) return;
            res.write(`event: ready\ndata: {"lastEventId":${lastSent}}\n\n`);
          }
        }
      } catch (err) {
        logger.warn({ err }, 'events: reading the change log failed');
        end();
        return;
      }
      replaying = false;
      for (const e of held.splice(0)) deliver(e);
    }),
  );
  return router;
}

/** Last-Event-ID (EventSource's own reconnect) or ?lastEventId= (a new EventSource resuming). */
function lastEventId(req: Request): number | undefined {
  const raw = req.headers['last-event-id'] ?? req.query.lastEventId;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw))
    throw badRequest('bad_request', 'Last-Event-ID must be a whole number', { lastEventId: String(raw) });
  return Number(raw);
}

/**
 * What a signed-in client is sent of a feed event (see eventsRouter, Rights): built field by field,
 * the writer's name and 街道 but not their user id, and only the layers the feed is known to carry.
 */
export function forClient(e: FeedEvent): ChangeEvent {
  const changes: ChangeEvent['changes'] = {};
  for (const l of CHANGE_LAYERS) if (e.changes[l]) changes[l] = e.changes[l];
  const layers: ChangeEvent['layers'] = {};
  for (const l of TILE_LAYERS) if (e.layers[l]) layers[l] = e.layers[l];
  return {
    id: e.id,
    at: e.at,
    kind: e.kind,
    layers,
    changes,
    truncated: e.truncated,
    bbox: e.bbox,
    actor: { username: e.actor.username, streetCode: e.actor.streetCode, streetName: e.actor.streetName },
  };
}

/** The frame of `e` for a stream with this view (see eventsRouter). */
function frame(e: ChangeEvent, view: Bbox | null, street: string | undefined): string {
  if (meetsView(e, view) || (street !== undefined && e.actor.streetCode === street))
    return `id: ${e.id}\nevent: change\ndata: ${JSON.stringify(e)}\n\n`;
  const outside: OutsideEvent = {
    id: e.id,
    layers: e.layers,
    changed: Object.keys(e.changes) as ChangeLayer[],
    street: e.actor.streetCode,
  };
  return `id: ${e.id}\nevent: versions\ndata: ${JSON.stringify(outside)}\n\n`;
}

/** `?street=`: a 街道's code (GB/T 2260 and three digits), or none. */
function parseStreet(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{6,12}$/.test(raw))
    throw badRequest('bad_request', 'street must be a jurisdiction code of digits', { street: String(raw) });
  return raw;
}
