import { Router, type Request } from 'express';
import {
  meetsView,
  type ChangeEvent,
  type ChangeLayer,
  type OutsideEvent,
} from '../../../core/change-event.ts';
import type { AppContext } from '../context.ts';
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
 *   is not a ticket. The stream checks every heartbeat that the user is still signed in as it was
 *   (logout, disable, demotion end it), and the Authorization header is not read here at all, so no
 *   request with a token alone can open an endless response.
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
      const ticket = await auth.signTicket(PURPOSE, req.user!.id, TICKET_TTL_S);
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
      const { user, tokenVersion } = await auth.verifyTicket(PURPOSE, ticket);
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
      const held: ChangeEvent[] = [];
      let lastSent = since ?? 0;
      const send = (e: ChangeEvent) => {
        if (e.id <= lastSent) return;
        lastSent = e.id;
        res.write(frame(e, view, street));
      };
      const unsubscribe = feed.subscribe((e) => (replaying ? held.push(e) : send(e)));
      const end = () => {
        if (!open) return;
        open = false;
        unsubscribe();
        unhold();
        clearInterval(beat);
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
        auth.stillValid(user.id, tokenVersion).then(
          (ok) => {
            if (!ok) {
              res.write(`event: signed-out\ndata: {}\n\n`);
              end();
            }
          },
          (err: unknown) => logger.warn({ err }, 'events: checking the stream user failed'),
        );
      }, config.feed.heartbeatS * 1000);
      beat.unref();

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
            for (const e of missed.events) send(e);
            res.write(`event: ready\ndata: {"lastEventId":${lastSent}}\n\n`);
          }
        }
      } catch (err) {
        logger.warn({ err }, 'events: reading the change log failed');
        end();
        return;
      }
      replaying = false;
      for (const e of held.splice(0)) send(e);
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
