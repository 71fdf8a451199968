import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "./testing/index.ts";
import { rowsOf } from "./rows.ts";

/** The spec's DDL, verbatim from the "Tables" section of the specification's database-schema.md. */
const specDdl = `
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  device_id VARCHAR(255) UNIQUE NOT NULL,
  telegram_user_id BIGINT UNIQUE,
  created_at TIMESTAMP DEFAULT NOW(),
  updated_at TIMESTAMP DEFAULT NOW()
);
CREATE UNIQUE INDEX idx_users_device_id ON users(device_id);
CREATE UNIQUE INDEX idx_users_telegram ON users(telegram_user_id);
CREATE TABLE avatars (
  id SERIAL PRIMARY KEY,
  user_id INTEGER REFERENCES users(id),
  name VARCHAR(255) DEFAULT 'Мой аватар',
  status VARCHAR(20) DEFAULT 'draft',
  thumbnail_url TEXT,
  created_at TIMESTAMP DEFAULT NOW(),
  updated_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_avatars_user_id ON avatars(user_id);
CREATE INDEX idx_avatars_status ON avatars(status);
CREATE TABLE generated_photos (
  id SERIAL PRIMARY KEY,
  avatar_id INTEGER REFERENCES avatars(id),
  style_id VARCHAR(50),
  prompt TEXT,
  image_url TEXT,
  created_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_generated_photos_avatar_id ON generated_photos(avatar_id);
CREATE INDEX idx_generated_photos_style_id ON generated_photos(style_id);
CREATE TABLE payments (
  id SERIAL PRIMARY KEY,
  user_id INTEGER REFERENCES users(id),
  tbank_payment_id VARCHAR(255),
  amount DECIMAL(10,2),
  currency VARCHAR(3) DEFAULT 'RUB',
  status VARCHAR(20),
  created_at TIMESTAMP DEFAULT NOW(),
  updated_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_payments_user_id ON payments(user_id);
CREATE INDEX idx_payments_status ON payments(status);
CREATE INDEX idx_payments_payment_id ON payments(tbank_payment_id);
CREATE TABLE generation_jobs (
  id SERIAL PRIMARY KEY,
  avatar_id INTEGER REFERENCES avatars(id),
  style_id VARCHAR(50),
  status VARCHAR(20),
  total_photos INTEGER DEFAULT 23,
  completed_photos INTEGER DEFAULT 0,
  error_message TEXT,
  created_at TIMESTAMP DEFAULT NOW(),
  updated_at TIMESTAMP DEFAULT NOW()
);
CREATE INDEX idx_generation_jobs_avatar_id ON generation_jobs(avatar_id);
CREATE INDEX idx_generation_jobs_status ON generation_jobs(status);
`;

const specTables = `('users', 'avatars', 'generated_photos', 'payments', 'generation_jobs')`;

type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** Columns, keys and indexes of the spec's tables, normalised so two databases can be compared. */
async function describeSchema(query: Query) {
  const columns = await query(
    `SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,
            is_nullable, column_default
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name IN ${specTables}
      ORDER BY table_name, column_name`
  );
  const constraints = await query(
    `SELECT c.conrelid::regclass::text AS table_name, c.contype, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.conrelid::regclass::text IN ${specTables} AND c.contype IN ('p', 'u', 'f')
      ORDER BY 1, 2, 3`
  );
  const indexes = await query(
    `SELECT tablename, indexname, regexp_replace(indexdef, ' USING btree', '') AS indexdef
       FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%' AND tablename IN ${specTables}
      ORDER BY indexname`
  );
  return { columns, constraints, indexes };
}

let t: TestDb;
const query: Query = async (sql, params = []) => {
  // Parameters are inlined through drizzle's sql template to run on every driver alike.
  const { sql: tag } = await import("drizzle-orm");
  const chunks = sql.split(/\$(\d+)/);
  let statement = tag.raw(chunks[0] ?? "");
  for (let i = 1; i < chunks.length; i += 2) {
    statement = tag`${statement}${params[Number(chunks[i]) - 1]}${tag.raw(chunks[i + 1] ?? "")}`;
  }
  return rowsOf<Record<string, unknown>>(await t.db.execute(statement));
};

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());
beforeEach(() => t.reset());

describe("the migrated schema", () => {
  it("matches the spec's five tables column for column, with their keys and eleven named indexes", async () => {
    const spec = new PGlite();
    await spec.exec(specDdl);
    const expected = await describeSchema(async (sql, params) => (await spec.query<Record<string, unknown>>(sql, params)).rows);
    await spec.close();

    const actual = await describeSchema(query);
    const specColumns = new Set(expected.columns.map((c) => `${c.table_name}.${c.column_name}`));
    // Additions (documented in packages/db/README.md) are allowed; what the spec defines must be identical.
    expect(actual.columns.filter((c) => specColumns.has(`${c.table_name}.${c.column_name}`))).toEqual(expected.columns);
    expect(actual.columns.filter((c) => !specColumns.has(`${c.table_name}.${c.column_name}`)).every((c) => c.is_nullable === "YES" || c.column_default !== null)).toBe(true);
    for (const constraint of expected.constraints) expect(actual.constraints).toContainEqual(constraint);
    expect(expected.indexes).toHaveLength(11);
    for (const index of expected.indexes) expect(actual.indexes).toContainEqual(index);
  });

  it("enforces the status unions with named CHECK constraints", async () => {
    const names = (await query(`SELECT conname FROM pg_constraint WHERE contype = 'c' ORDER BY conname`)).map((r) => r.conname);
    expect(names).toEqual(expect.arrayContaining(["avatars_status_check", "payments_status_check", "generation_jobs_status_check"]));
    await query(`INSERT INTO users (device_id) VALUES ('d1')`);
    await expect(query(`INSERT INTO avatars (user_id, status) VALUES (1, 'bogus')`)).rejects.toThrow();
    await expect(query(`INSERT INTO payments (user_id, status) VALUES (1, 'paid')`)).rejects.toThrow();
    await expect(query(`INSERT INTO generation_jobs (status) VALUES ('done')`)).rejects.toThrow();
    const [avatar] = await query(`INSERT INTO avatars (user_id) VALUES (1) RETURNING name, status`);
    expect(avatar).toEqual({ name: "Мой аватар", status: "draft" });
  });

  it("refuses a second user with the same device id or Telegram id", async () => {
    await query(`INSERT INTO users (device_id, telegram_user_id) VALUES ('a', 42)`);
    await expect(query(`INSERT INTO users (device_id) VALUES ('a')`)).rejects.toThrow();
    await expect(query(`INSERT INTO users (device_id, telegram_user_id) VALUES ('b', 42)`)).rejects.toThrow();
  });
});

describe("the spec's Common Queries run unchanged", () => {
  it("Get or Create User", async () => {
    expect(await query(`SELECT * FROM users WHERE device_id = $1;`, ["dev-1"])).toEqual([]);
    const [created] = await query(`INSERT INTO users (device_id) VALUES ($1) RETURNING *;`, ["dev-1"]);
    expect(created).toMatchObject({ id: 1, device_id: "dev-1", telegram_user_id: null });
    expect(await query(`SELECT * FROM users WHERE device_id = $1;`, ["dev-1"])).toHaveLength(1);
  });

  it("Check Payment Status", async () => {
    await query(`INSERT INTO users (device_id) VALUES ('d')`);
    const hasPaid = async () => (await query(`SELECT EXISTS (\n  SELECT 1 FROM payments\n  WHERE user_id = $1 AND status = 'succeeded'\n) AS has_paid;`, [1]))[0]?.has_paid;
    expect(await hasPaid()).toBe(false);
    await query(`INSERT INTO payments (user_id, amount, status) VALUES (1, 999.00, 'pending')`);
    expect(await hasPaid()).toBe(false);
    await query(`INSERT INTO payments (user_id, amount, status) VALUES (1, 999.00, 'succeeded')`);
    expect(await hasPaid()).toBe(true);
  });

  it("Create Avatar, Save Generated Photo, Get User Photos, Update Generation Job Progress", async () => {
    await query(`INSERT INTO users (device_id) VALUES ('dev-2')`);
    const [avatar] = await query(`INSERT INTO avatars (user_id, name, status)\nVALUES ($1, $2, 'draft')\nRETURNING *;`, [1, "Анна"]);
    expect(avatar).toMatchObject({ user_id: 1, name: "Анна", status: "draft", thumbnail_url: null });

    const [photo] = await query(`INSERT INTO generated_photos (avatar_id, style_id, prompt, image_url)\nVALUES ($1, $2, $3, $4)\nRETURNING id;`, [1, "professional", "p", "media:photos/1.jpg"]);
    expect(photo).toEqual({ id: 1 });

    // Two more, one older and one newer, and one of another user that must not show.
    await query(`INSERT INTO generated_photos (avatar_id, style_id, prompt, image_url, created_at) VALUES (1, 'professional', 'p', 'media:photos/old.jpg', NOW() - interval '1 day'), (1, 'creative', 'p', 'media:photos/new.jpg', NOW() + interval '1 day')`);
    await query(`INSERT INTO users (device_id) VALUES ('dev-3')`);
    await query(`INSERT INTO avatars (user_id, name) VALUES (2, 'Чужой')`);
    await query(`INSERT INTO generated_photos (avatar_id, style_id, image_url) VALUES (2, 'professional', 'media:photos/theirs.jpg')`);
    const photos = await query(`SELECT gp.*\nFROM generated_photos gp\nJOIN avatars a ON gp.avatar_id = a.id\nJOIN users u ON a.user_id = u.id\nWHERE u.device_id = $1\nORDER BY gp.created_at DESC;`, ["dev-2"]);
    expect(photos.map((p) => p.image_url)).toEqual(["media:photos/new.jpg", "media:photos/1.jpg", "media:photos/old.jpg"]);
    expect(photos[1]).toMatchObject({ avatar_id: 1, style_id: "professional", image_url: "media:photos/1.jpg" });

    await query(`INSERT INTO generation_jobs (avatar_id, style_id, status) VALUES (1, 'professional', 'processing')`);
    await query(`UPDATE generation_jobs\nSET completed_photos = completed_photos + 1,\n    updated_at = NOW()\nWHERE id = $1;`, [1]);
    const [job] = await query(`SELECT total_photos, completed_photos FROM generation_jobs WHERE id = 1`);
    expect(job).toEqual({ total_photos: 23, completed_photos: 1 });
  });
});
