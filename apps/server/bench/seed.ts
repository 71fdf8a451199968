import pg from "pg";

export const seedSize = { users: 100_000, avatars: 300_000, photos: 1_000_000, benchUserPhotos: 23 } as const;

/** The same URL pointing at another database of that server. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs statements on the server's maintenance connection. */
async function onServer(serverUrl: string, ...statements: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** A throwaway database on the server; dropped again by `dropDatabase`. */
export const createDatabase = (serverUrl: string, database: string) =>
  onServer(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`, `CREATE DATABASE "${database}"`);

export const dropDatabase = (serverUrl: string, database: string) => onServer(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);

const styles = "ARRAY['business','fashion','travel','studio','street','vintage','fantasy','sport','winter','evening']";

/**
 * Fills a freshly migrated database with set-based SQL (no row-by-row round trips):
 * - 100 000 users; most have 3 avatars, one in ten has 1 and one in ten has 5: 300 000 avatars;
 * - one photoset of 23 photos on about one avatar in seven (a ready avatar with a completed job that
 *   used a succeeded premium payment), 999 977 photos in all, plus the bench user's photoset: 1 000 000;
 * - pending or canceled payments for some users, and one unused paid photoset for the bench user.
 * Image columns hold storage keys, as the media area writes them, so the API signs real links.
 * Other columns added after the spec have defaults or are nullable.
 * Returns the bench user's id.
 */
export async function seed(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SET synchronous_commit = off");
    await client.query(`
      INSERT INTO users (device_id, created_at, updated_at)
      SELECT md5('bench-device-' || i)::uuid::text, now() - make_interval(secs => (${seedSize.users} - i) * 300), now() - make_interval(secs => (${seedSize.users} - i) * 300)
      FROM generate_series(1, ${seedSize.users}) AS i`);
    await client.query(`
      INSERT INTO avatars (user_id, name, status, created_at, updated_at)
      SELECT u.id, 'Аватар ' || n, CASE WHEN n = 1 THEN 'processing' ELSE 'draft' END,
             u.created_at + make_interval(mins => n), u.created_at + make_interval(mins => n)
      FROM users u, generate_series(1, CASE u.id % 10 WHEN 0 THEN 1 WHEN 1 THEN 5 ELSE 3 END) AS n
      ORDER BY u.id, n`);

    // A user in the middle of the id range with exactly 3 avatars; the photosets below skip its avatars.
    const { rows: bench } = await client.query<{ id: number }>(`
      SELECT u.id FROM users u
      WHERE u.id % 10 = 2 AND u.id >= ${seedSize.users / 2}
      ORDER BY u.id LIMIT 1`);
    const benchUserId = bench[0]!.id;
    const othersPhotos = seedSize.photos - seedSize.benchUserPhotos;

    await client.query(`
      WITH ready AS (
        SELECT id, created_at, row_number() OVER (ORDER BY id) - 1 AS k
        FROM avatars WHERE id % 6 = 3 AND user_id <> $1
      )
      INSERT INTO generated_photos (avatar_id, style_id, prompt, image_url, thumbnail_url, created_at)
      SELECT r.id, s.style, 'Portrait in the ' || s.style || ' style, photo ' || (n + 1),
             'photos/' || r.id || '/seed-' || (n + 1) || '.jpg', 'photos/' || r.id || '/seed-' || (n + 1) || '.thumb.webp', r.created_at + interval '1 hour' + make_interval(secs => n * 7)
      FROM ready r
      CROSS JOIN LATERAL (SELECT (${styles})[1 + (r.k % 10)::int] AS style) s
      CROSS JOIN generate_series(0, 22) AS n
      WHERE r.k * 23 + n < ${othersPhotos}
      ORDER BY r.k, n`, [benchUserId]);
    await client.query(`
      WITH mine AS (SELECT id, created_at FROM avatars WHERE user_id = $1 ORDER BY id LIMIT 1)
      INSERT INTO generated_photos (avatar_id, style_id, prompt, image_url, thumbnail_url, created_at)
      SELECT m.id, 'business', 'Portrait in the business style, photo ' || (n + 1),
             'photos/' || m.id || '/seed-' || (n + 1) || '.jpg', 'photos/' || m.id || '/seed-' || (n + 1) || '.thumb.webp', m.created_at + interval '1 hour' + make_interval(secs => n * 7)
      FROM mine m, generate_series(0, ${seedSize.benchUserPhotos - 1}) AS n
      ORDER BY n`, [benchUserId]);

    await client.query(`
      UPDATE avatars a SET status = 'ready', thumbnail_url = 'photos/' || a.id || '/seed-1.thumb.webp'
      WHERE a.id IN (SELECT DISTINCT avatar_id FROM generated_photos)`);
    // Each photoset was paid for (premium: 23 photos) and made by a completed job that used that payment.
    await client.query(`
      INSERT INTO payments (user_id, tbank_payment_id, amount, currency, status, tier_id, photo_count, created_at, updated_at, consumed_at)
      SELECT a.user_id, (7000000000 + a.id)::text, 1499.00, 'RUB', 'succeeded', 'premium', 23, a.created_at, a.created_at, a.created_at
      FROM avatars a WHERE a.status = 'ready'
      ORDER BY a.id`);
    await client.query(`
      INSERT INTO generation_jobs (avatar_id, style_id, status, total_photos, completed_photos, payment_id, created_at, updated_at)
      SELECT p.avatar_id, min(p.style_id), 'completed', 23, count(*), min(pay.id), min(p.created_at), max(p.created_at)
      FROM generated_photos p JOIN payments pay ON pay.tbank_payment_id = (7000000000 + p.avatar_id)::text
      GROUP BY p.avatar_id`);
    // Abandoned checkouts for some users, and one paid photoset the bench user has not used yet.
    await client.query(`
      INSERT INTO payments (user_id, tbank_payment_id, amount, currency, status, tier_id, photo_count, created_at, updated_at)
      SELECT u.id, (8000000000 + u.id)::text, 999.00, 'RUB', CASE WHEN u.id % 2 = 0 THEN 'pending' ELSE 'canceled' END, 'standard', 15, u.created_at, u.created_at
      FROM users u WHERE u.id % 13 = 0
      UNION ALL
      SELECT $1::int, '9000000000', 999.00, 'RUB', 'succeeded', 'standard', 15, now(), now()`, [benchUserId]);
    await client.query("VACUUM ANALYZE");

    const { rows: counts } = await client.query<{ users: string; avatars: string; photos: string; mine: string; bench_avatars: string }>(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM avatars) AS avatars,
              (SELECT count(*) FROM generated_photos) AS photos,
              (SELECT count(*) FROM generated_photos p JOIN avatars a ON a.id = p.avatar_id WHERE a.user_id = $1) AS mine,
              (SELECT count(*) FROM avatars WHERE user_id = $1) AS bench_avatars`,
      [benchUserId],
    );
    const c = counts[0]!;
    const expected = { users: seedSize.users, avatars: seedSize.avatars, photos: seedSize.photos, mine: seedSize.benchUserPhotos, bench_avatars: 3 };
    for (const [key, value] of Object.entries(expected)) {
      if (Number(c[key as keyof typeof c]) !== value) throw new Error(`seed: expected ${value} ${key}, got ${c[key as keyof typeof c]}`);
    }
    return benchUserId;
  } finally {
    await client.end();
  }
}
