import { createServer, type Server } from "node:http";
import type { Photo, SessionTokens } from "@pinglass/accounts";
import { photoOutput } from "@pinglass/api";
import { generatedPhotos } from "@pinglass/db";
import { type Media, withPhotoLinks } from "@pinglass/media";
import { getTableColumns } from "drizzle-orm";
import pg from "pg";
import type { EndpointName, Statement } from "./queries.ts";

/** node-postgres parses TIMESTAMP as local time; drizzle reads it as UTC, so the bare side does too. */
const timestampWithoutZone = 1114;
const types = {
  getTypeParser: ((oid: number, format?: "text") =>
    oid === timestampWithoutZone ? (value: string) => new Date(`${value}+0000`) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function createBarePool(url: string, max: number): pg.Pool {
  return new pg.Pool({ connectionString: url, max, types });
}

/** Column name -> property name, the way drizzle returns a generated_photos row, for the columns a photo's answer shows. */
const shown = new Set(Object.keys(photoOutput.shape));
const photoProperties = Object.entries(getTableColumns(generatedPhotos))
  .filter(([property]) => shown.has(property))
  .map(([property, column]) => [column.name, property] as const);

type Row = Record<string, unknown>;
const toPhoto = (row: Row) => {
  const photo: Row = {};
  for (const [column, property] of photoProperties) photo[property] = row[column];
  return photo;
};

/**
 * Builds each endpoint's answer from the rows of its statements (the last statement's rows; one
 * before it is the live-user check). Photos get their signed links from the media area's own
 * function: that is the product's work, not the framework's, so both sides do it.
 */
const answers: Record<EndpointName, (rows: unknown[], statement: Statement, media: Media) => unknown> = {
  "photos.list": async (rows, statement, media) => {
    const limit = Number(statement.params.at(-1)) - 1;
    const page = (rows as Row[]).slice(0, limit).map(toPhoto);
    const items = await Promise.all(page.map((photo) => withPhotoLinks(media, photo as Photo)));
    return { items, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
  },
  "session.me": ([row]) => {
    if (!row) return null;
    // The overview statement's columns: id, telegram_user_id, created_at, has paid, paid photosets.
    const [id, telegramUserId, createdAt, hasPaid, paidPhotosets] = row as [number, string | null, Date | null, boolean, unknown[]];
    return { user: { id, telegramUserId: telegramUserId === null ? null : Number(telegramUserId), createdAt }, hasPaid, paidPhotosets };
  },
};

/**
 * The baseline: a bare node:http handler with a pg Pool that checks the same bearer token and runs
 * the same statements as the procedure, one after another as it does (photos.list's first is the
 * live-user check; session.me's one statement reads the user row itself), for the verified user,
 * answering plain JSON of the same shape under the same `{ result: { data } }` envelope.
 */
export function createBareServer(options: {
  pool: pg.Pool;
  sessions: SessionTokens;
  media: Media;
  statements: Record<EndpointName, Statement[]>;
  /** The user the statements were recorded for: their parameters equal to it become the caller's id. */
  recordedUserId: number;
}): Server {
  const { pool, sessions, media, statements, recordedUserId } = options;
  const routes = new Map<string, { name: EndpointName; statements: Statement[] }>(
    (Object.keys(statements) as EndpointName[]).map((name) => [`/${name}`, { name, statements: statements[name] }]),
  );

  return createServer(async (req, res) => {
    const route = routes.get((req.url ?? "/").split("?", 1)[0]!);
    if (!route) return send(res, 404, { error: "not found" });
    const authorization = req.headers.authorization;
    const userId = authorization?.startsWith("Bearer ") ? sessions.verify(authorization.slice(7).trim()) : null;
    if (userId === null) return send(res, 401, { error: "unauthorized" });
    try {
      let rows: unknown[] = [];
      for (const s of route.statements) {
        const values = s.params.map((p) => (p === recordedUserId ? userId : p));
        const query = { name: s.name, text: s.sql, values };
        rows = route.name === "session.me" ? (await pool.query({ ...query, rowMode: "array" })).rows : (await pool.query(query)).rows;
        if (rows.length === 0 && s !== route.statements.at(-1)) return send(res, 401, { error: "unauthorized" });
      }
      const data = await answers[route.name](rows, route.statements.at(-1)!, media);
      if (data === null) return send(res, 401, { error: "unauthorized" });
      send(res, 200, { result: { data } });
    } catch {
      send(res, 500, { error: "internal error" });
    }
  });
}

function send(res: import("node:http").ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}
