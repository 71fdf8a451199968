import { manualClock } from "@pinglass/core";
import { users } from "@pinglass/db";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { previousDeviceIdGraceMs, signInWithDevice } from "./users.ts";

let testDb: TestDb;
const clock = manualClock();
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.close());
beforeEach(() => testDb.reset());

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const row = async (userId: number) => (await testDb.db.select().from(users).where(eq(users.id, userId)))[0]!;

describe("signing in with a device id", () => {
  it("rotates the id on every sign-in, and honours the one it replaced only for the grace", async () => {
    const first = crypto.randomUUID();
    const created = await signInWithDevice(testDb.db, clock, first);
    expect(created.deviceId).toBe(first);

    const rotated = await signInWithDevice(testDb.db, clock, first);
    expect(rotated.id).toBe(created.id);
    expect(rotated.deviceId).toMatch(uuid);
    expect(rotated.deviceId).not.toBe(first);
    expect(await row(created.id)).toMatchObject({ deviceId: rotated.deviceId, previousDeviceId: first, deviceRotatedAt: clock.now() });

    // A second tab with the old id, just after: the same user and the current id, no second rotation.
    clock.advance(previousDeviceIdGraceMs - 1000);
    expect(await signInWithDevice(testDb.db, clock, first)).toMatchObject({ id: created.id, deviceId: rotated.deviceId });
    expect(await row(created.id)).toMatchObject({ deviceId: rotated.deviceId, previousDeviceId: first });

    // After the grace the old id is an unknown device: a new user, which keeps it until its own next sign-in.
    clock.advance(1000);
    const stranger = await signInWithDevice(testDb.db, clock, first);
    expect(stranger.id).not.toBe(created.id);
    expect(stranger.deviceId).toBe(first);
    expect(await signInWithDevice(testDb.db, clock, rotated.deviceId)).toMatchObject({ id: created.id });

    // Only the id just replaced is honoured: two rotations later the first one is nobody's.
    const next = await signInWithDevice(testDb.db, clock, stranger.deviceId);
    expect(next.id).toBe(stranger.id);
    await signInWithDevice(testDb.db, clock, next.deviceId);
    const latest = await signInWithDevice(testDb.db, clock, first);
    expect([created.id, stranger.id]).not.toContain(latest.id);
    expect(await testDb.db.select().from(users)).toHaveLength(3);
  });

  it("ten parallel sign-ins with one id: one user, rotated once, everyone signed in with its current id", async () => {
    const original = crypto.randomUUID();
    const user = await signInWithDevice(testDb.db, clock, original);
    const results = await Promise.all(Array.from({ length: 10 }, () => signInWithDevice(testDb.db, clock, original)));
    const after = await row(user.id);
    expect(after.deviceId).not.toBe(original);
    expect(after.previousDeviceId).toBe(original);
    expect(results.map((r) => [r.id, r.deviceId])).toEqual(results.map(() => [user.id, after.deviceId]));
    expect(await testDb.db.select().from(users)).toHaveLength(1);
  });

  it("ten parallel first sign-ins with a new id: one user, and every id they were given signs into it", async () => {
    const original = crypto.randomUUID();
    const results = await Promise.all(Array.from({ length: 10 }, () => signInWithDevice(testDb.db, clock, original)));
    const all = await testDb.db.select().from(users);
    expect(all).toHaveLength(1);
    expect(new Set(results.map((r) => r.id))).toEqual(new Set([all[0]!.id]));
    // The creator keeps the id it sent; anyone who came after its insert rotated it or found it rotated.
    for (const given of new Set(results.map((r) => r.deviceId))) expect([original, all[0]!.deviceId]).toContain(given);
    expect((await signInWithDevice(testDb.db, clock, original)).id).toBe(all[0]!.id);
  });
});
