import type { AddressInfo } from "node:net";
import { createTestApi } from "@pinglass/api/testing";
import { generatedPhotos } from "@pinglass/db";
import { revokePhotoShares, saveGeneratedImage, sharePhoto } from "@pinglass/media";
import { photoJpeg } from "@pinglass/media/testing";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { mediaArea } from "./media.ts";
import { sharePageArea } from "./share-page.ts";
import { testConfig } from "./testing.ts";

let api: Awaited<ReturnType<typeof createTestApi>>;
let server: ReturnType<typeof createApp>;
let base: string;

beforeAll(async () => {
  api = await createTestApi();
  const logger = pino({ level: "silent" });
  server = createApp({ deps: api.deps, logger, routes: [mediaArea(testConfig, logger, api.clock), sharePageArea()].flatMap((area) => area.parts(api.deps).routes), security: { https: false, origins: [api.deps.media.publicBaseUrl] } });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await api.testDb.close();
});
beforeEach(() => api.testDb.reset());

/** Our links name the public origin; the test server listens elsewhere. */
const local = (link: string) => {
  const url = new URL(link);
  return `${base}${url.pathname}${url.search}`;
};

/** A signed-in user with one stored photo, as the generation worker leaves it. */
async function userWithPhoto() {
  const { caller, userId } = await api.signIn();
  const avatar = await caller.avatars.create();
  const keys = await saveGeneratedImage(api.deps.media.storage, { avatarId: avatar.id, jobId: 1, position: 1 }, await photoJpeg(640, 800));
  const [photo] = await api.testDb.db.insert(generatedPhotos).values({ avatarId: avatar.id, styleId: "pinglass", sceneId: "pinglass-yacht-deck", imageUrl: keys.imageKey, thumbnailUrl: keys.thumbnailKey }).returning();
  return { userId, photoId: photo!.id };
}

const attribute = (html: string, property: string) => new RegExp(`<meta property="${property}" content="([^"]*)">`).exec(html)?.[1]?.replaceAll("&amp;", "&");

describe("GET /s/<token>, the share page of a photo", () => {
  it("shows the photo to a stranger with an Open Graph preview, in their language, private to caches and search engines", async () => {
    const { userId, photoId } = await userWithPhoto();
    const share = await sharePhoto(api.testDb.db, api.deps.media, api.clock, userId, photoId);
    const answer = await fetch(local(share.url), { headers: { "accept-language": "en-GB,en;q=0.9" } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    expect(answer.headers.get("x-robots-tag")).toContain("noindex");
    // The app's security headers go on it as on every HTML answer.
    expect(answer.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await answer.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("On a yacht deck");
    expect(attribute(html, "og:title")).toBe("A portrait from PinGlass");
    expect(attribute(html, "og:url")).toBe(share.url);
    // og:image is a working signed link to the photo itself.
    const image = await fetch(local(attribute(html, "og:image")!));
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/jpeg");

    const russian = await (await fetch(local(share.url), { headers: { "accept-language": "ru-RU" } })).text();
    expect(russian).toContain('<html lang="ru">');
    expect(russian).toContain("На палубе яхты");
  });

  it("answers a revoked, expired or made-up link with the same 404 page", async () => {
    const { userId, photoId } = await userWithPhoto();
    const revoked = await sharePhoto(api.testDb.db, api.deps.media, api.clock, userId, photoId);
    await revokePhotoShares(api.testDb.db, api.clock, userId, photoId);
    const expiring = await sharePhoto(api.testDb.db, api.deps.media, api.clock, userId, photoId);
    api.clock.advance(31 * 86_400_000);
    const pages = await Promise.all([revoked.url, expiring.url, `${base}/s/${"A".repeat(43)}`, `${base}/s/..%2f..%2fetc`, `${base}/s/`].map((url) => fetch(local(url), { headers: { "accept-language": "ru" } })));
    for (const page of pages) {
      expect(page.status).toBe(404);
      expect(page.headers.get("cache-control")).toBe("no-store");
      const html = await page.text();
      expect(html).toContain("Ссылка не работает");
      expect(html).not.toContain("og:image");
    }
  });
});
