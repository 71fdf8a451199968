import { createServer, type Server, type ServerResponse } from "node:http";
import type { SessionTokens } from "@pinglass/accounts";
import { type Media, viewLinkTtlSeconds } from "@pinglass/media";
import type pg from "pg";

/**
 * The floors: the very same answers made with no framework at all, from raw pg rows, as cheaply
 * as the product allows. Each checks the bearer token and, like every signed-in call of the app,
 * that its user still exists; then
 * - photos.list: the live-user check (a primary-key lookup), then one query for the page, each link
 *   signed once per object and expiry step (expiries are rounded to 5-minute steps, so the link is
 *   the same string all step long);
 * - session.me: the whole answer as PostgreSQL writes it, from one statement (json_agg of the paid
 *   photosets) whose user row stands in for the check.
 * The bench checks that their answers equal the app's.
 */
export function createFloorServer(options: { pool: pg.Pool; sessions: SessionTokens; media: Media }): Server {
  const { pool, sessions, media } = options;
  const links = new Map<string, string>();
  let linksExpiry = 0;

  /** A signed view or download link of a stored object, made once per object and expiry step. */
  const link = async (key: string | null, downloadName?: string) => {
    if (!key) return null;
    const expiry = media.signer.expiryFor(viewLinkTtlSeconds);
    if (expiry !== linksExpiry) {
      links.clear();
      linksExpiry = expiry;
    }
    const id = downloadName ? `${key}\n${downloadName}` : key;
    let url = links.get(id);
    if (url === undefined) links.set(id, (url = await media.storage.signedUrl(key, { ttlSeconds: viewLinkTtlSeconds, downloadName })));
    return url;
  };
  const iso = (value: Date | null) => (value === null ? null : value.toISOString());
  const live = async (userId: number) => (await pool.query({ name: "floor_live_user", text: "SELECT 1 FROM users WHERE id = $1", values: [userId] })).rowCount === 1;

  const photosList = async (userId: number) => {
    if (!(await live(userId))) return null;
    const limit = 30;
    const { rows } = await pool.query<PhotoRow>({
      name: "floor_photos",
      text: `SELECT p.id, p.avatar_id, p.job_id, p.slot_id, p.style_id, p.scene_id, p.prompt, p.image_url, p.thumbnail_url, p.created_at, p.favourited_at
             FROM generated_photos p JOIN avatars a ON a.id = p.avatar_id
             WHERE a.user_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT $2`,
      values: [userId, limit + 1],
    });
    const page = rows.slice(0, limit);
    const items = await Promise.all(
      page.map(async (r) => ({
        id: r.id,
        avatarId: r.avatar_id,
        jobId: r.job_id,
        slotId: r.slot_id,
        styleId: r.style_id,
        sceneId: r.scene_id,
        prompt: r.prompt,
        imageUrl: await link(r.image_url),
        thumbnailUrl: await link(r.thumbnail_url ?? r.image_url),
        downloadUrl: await link(r.image_url, `pinglass-${r.avatar_id ?? 0}-${r.id}.jpg`),
        createdAt: iso(r.created_at),
        favouritedAt: iso(r.favourited_at),
      })),
    );
    return { items, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
  };

  const meStatement = `SELECT json_build_object(
      'user', json_build_object('id', u.id, 'telegramUserId', u.telegram_user_id, 'createdAt', to_char(u.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
      'hasPaid', EXISTS (SELECT 1 FROM payments p WHERE p.user_id = u.id AND p.status = 'succeeded'),
      'paidPhotosets', COALESCE((SELECT json_agg(json_build_object('paymentId', p.id, 'tierId', p.tier_id, 'photoCount', COALESCE(p.photo_count, 0)) ORDER BY p.created_at, p.id)
                                 FROM payments p WHERE p.user_id = u.id AND p.status = 'succeeded' AND p.consumed_at IS NULL), '[]'::json)
    )::text AS answer FROM users u WHERE u.id = $1`;
  /** The answer as PostgreSQL writes it, put into the envelope as text: nothing parsed, nothing built. */
  const me = async (userId: number) => {
    const { rows } = await pool.query<{ answer: string }>({ name: "floor_me", text: meStatement, values: [userId] });
    return rows[0] ? rows[0].answer : null;
  };

  const routes: Record<string, (userId: number) => Promise<string | null>> = {
    "/photos.list": async (userId) => {
      const data = await photosList(userId);
      return data && `{"result":{"data":${JSON.stringify(data)}}}`;
    },
    "/session.me": async (userId) => {
      const answer = await me(userId);
      return answer && `{"result":{"data":${answer}}}`;
    },
  };

  return createServer(async (req, res) => {
    const route = routes[(req.url ?? "/").split("?", 1)[0]!];
    if (!route) return send(res, 404, '{"error":"not found"}');
    const authorization = req.headers.authorization;
    const userId = authorization?.startsWith("Bearer ") ? sessions.verify(authorization.slice(7).trim()) : null;
    if (userId === null) return send(res, 401, '{"error":"unauthorized"}');
    try {
      const body = await route(userId);
      if (body === null) send(res, 401, '{"error":"unauthorized"}');
      else send(res, 200, body);
    } catch {
      send(res, 500, '{"error":"internal error"}');
    }
  });
}

interface PhotoRow {
  id: number;
  avatar_id: number | null;
  job_id: number | null;
  slot_id: number | null;
  style_id: string | null;
  scene_id: string | null;
  prompt: string | null;
  image_url: string | null;
  thumbnail_url: string | null;
  created_at: Date | null;
  favourited_at: Date | null;
}

function send(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
