import { rm } from "node:fs/promises";
import { createAvatar, getOrCreateUserByDevice } from "@pinglass/accounts";
import type { Clock } from "@pinglass/core";
import { type Db, payments } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { addReferencePhoto, type Media } from "@pinglass/media";
import { createTestMedia } from "@pinglass/media/testing";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach } from "vitest";

/**
 * A test database and media folder (signing with `clock`) for the tests of a file or describe
 * block: the database comes before them (testDb is filled in then) and is emptied before each;
 * both go after them.
 */
export function testDbAndMedia(clock: Clock): { testDb: TestDb; media: ReturnType<typeof createTestMedia> } {
  const testDb = {} as TestDb;
  const media = createTestMedia(clock);
  beforeAll(async () => void Object.assign(testDb, await createTestDb()));
  afterAll(async () => {
    await testDb.close();
    await rm(media.root, { recursive: true, force: true });
  });
  beforeEach(() => testDb.reset());
  return { testDb, media };
}

/** A selfie-like picture: a face on a coloured background, a different one per index. */
export function selfie(index: number): Promise<Buffer> {
  const hue = (index * 47) % 360;
  const svg = `<svg width="600" height="800" xmlns="http://www.w3.org/2000/svg"><rect width="600" height="800" fill="hsl(${hue},30%,60%)"/><ellipse cx="300" cy="780" rx="260" ry="200" fill="#2d3e50"/><rect x="260" y="470" width="80" height="110" fill="#e0b08f"/><ellipse cx="300" cy="340" rx="130" ry="165" fill="#eec0a0"/><ellipse cx="300" cy="210" rx="145" ry="80" fill="#4a2a18"/><circle cx="${255 + index}" cy="330" r="12" fill="#2b1b10"/><circle cx="${345 + index}" cy="330" r="12" fill="#2b1b10"/><path d="M255 420 Q300 455 345 420" stroke="#a04040" stroke-width="7" fill="none"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

/** An avatar (of a new user, or of userId) with its selfies, uploaded through media's own code. */
export async function avatarWithSelfies(db: Db, media: Media, selfies = 5, userId?: number) {
  const owner = userId ?? (await getOrCreateUserByDevice(db, crypto.randomUUID())).id;
  const avatar = await createAvatar(db, owner, "Test");
  for (let i = 0; i < selfies; i++) await addReferencePhoto(db, media, owner, avatar.id, await selfie(i));
  return { userId: owner, avatarId: avatar.id };
}

/** A succeeded payment, as the payments area records one after T-Bank confirms it. */
export async function paidPhotoset(db: Db, userId: number, photoCount: number, createdAt?: Date): Promise<number> {
  const tier = photoCount <= 7 ? "starter" : photoCount <= 15 ? "standard" : "premium";
  const [row] = await db
    .insert(payments)
    .values({ userId, status: "succeeded", photoCount, tierId: tier, amount: "499.00", orderId: crypto.randomUUID(), ...(createdAt ? { createdAt } : {}) })
    .returning({ id: payments.id });
  return row!.id;
}

/** Runs the worker until nothing is due. */
export const drain = (worker: { tick(signal: AbortSignal): Promise<void> }) => worker.tick(new AbortController().signal);
