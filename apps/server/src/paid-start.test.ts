import type { AddressInfo } from "node:net";
import type { AppRouter } from "@pinglass/api";
import { createTestApi } from "@pinglass/api/testing";
import { generationJobs, payments, telegramDeliveries } from "@pinglass/db";
import { createGenerationWorker, createLocalRenderer } from "@pinglass/generation";
import { addReferencePhoto } from "@pinglass/media";
import { photoJpeg } from "@pinglass/media/testing";
import { type FakeTbank, startFakeTbank } from "@pinglass/payments/testing";
import { createBotApi, deliverDuePhotos } from "@pinglass/telegram";
import { signInitData, startFakeBotApi } from "@pinglass/telegram/testing";
import { createTRPCClient, httpLink } from "@trpc/client";
import { eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { finishHooks } from "./generation.ts";
import { paymentsArea } from "./payments.ts";
import { testConfig } from "./testing.ts";

const logger = pino({ level: "silent" });
const telegram = { botToken: "7000000001:AAF-paid-start-test", botUsername: "PinGlassBot", initDataMaxAgeSeconds: 86_400 };
let api: Awaited<ReturnType<typeof createTestApi>>;
let fake: FakeTbank;
let fakeBotApi: Awaited<ReturnType<typeof startFakeBotApi>>;
let server: ReturnType<typeof createApp>;
let base: string;

beforeAll(async () => {
  fake = await startFakeTbank({ terminalKey: "RealTerminal", password: "real-password" });
  fakeBotApi = await startFakeBotApi({ token: telegram.botToken });
  api = await createTestApi({ telegram });
  const tbank = paymentsArea({ ...testConfig, tbank: { terminalKey: "RealTerminal", password: "real-password", apiUrl: fake.baseUrl } }, logger, api.clock);
  api.deps.bank = tbank.bank;
  server = createApp({ deps: api.deps, logger, routes: tbank.parts(api.deps).routes });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The bank notifies this server: PUBLIC_URL is where it listens.
  api.deps.payments = { ...api.deps.payments, publicUrl: base };
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fake.close();
  await fakeBotApi.close();
  await api.testDb.close();
});

describe("pay, close the client, and the bank's word does the rest", () => {
  it("starts the photoset on T-Bank's notification, makes every photo and queues the Telegram delivery, with no further client call", async () => {
    // The Mini App: a Telegram user with an avatar of six selfies, paying for Starter in the Professional style.
    const initData = signInitData({ query_id: "AAHdF6IQAAAAAN0XohDhrOrc", user: { id: 7_100_001, first_name: "Ann", language_code: "ru" } as never }, telegram.botToken, api.clock.now());
    const { token, userId } = await api.anonymous().session.telegram({ initData });
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${base}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })] });
    const avatar = await client.avatars.create.mutate({ name: "Анна" });
    for (let i = 0; i < 6; i++) await addReferencePhoto(api.deps.db, api.deps.media, userId, avatar.id, await photoJpeg(640 + i * 8, 800));
    const created = await client.payments.create.mutate({ tierId: "starter", email: "ann@example.com", avatarId: avatar.id, styleId: "professional" });
    if (created.method !== "card") throw new Error("a card payment was asked for");
    const [row] = await api.testDb.db.select().from(payments).where(eq(payments.id, created.paymentId));
    // The client is closed now: from here on only the bank and the server's own background work act.

    const answers = await fake.buyerPays(row!.tbankPaymentId!);
    expect(answers).toEqual([
      { status: 200, text: "OK" },
      { status: 200, text: "OK" },
    ]);
    const [job] = await api.testDb.db.select().from(generationJobs).where(eq(generationJobs.paymentId, created.paymentId));
    expect(job).toMatchObject({ avatarId: avatar.id, styleId: "professional", status: "processing", totalPhotos: 7 });
    // The job remembers the request that started it: the bank's notification (it sends no id, so the server gave it one).
    expect(job!.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    // The server's in-process worker and its Telegram delivery loop, as parts.ts wires them.
    const worker = createGenerationWorker({ db: api.deps.db, clock: api.clock, storage: api.deps.media.storage, provider: createLocalRenderer(api.deps.media.storage), callbackUrl: `${base}/webhooks/local`, hooks: finishHooks });
    await worker.tick(new AbortController().signal);
    const [done] = await api.testDb.db.select().from(generationJobs).where(eq(generationJobs.id, job!.id));
    expect(done).toMatchObject({ status: "completed", completedPhotos: 7 });
    const [delivery] = await api.testDb.db.select().from(telegramDeliveries).where(eq(telegramDeliveries.jobId, job!.id));
    expect(delivery).toMatchObject({ chatId: 7_100_001n, status: "pending" });
    console.log(`figure: pay-then-close → ${done!.completedPhotos} of ${done!.totalPhotos} photos made, Telegram delivery ${delivery!.status}, 0 client calls after payments.create`);

    // The app, opened again later, asks to start that payment's photoset: it is the job already made.
    expect(await client.generation.start.mutate({ avatarId: avatar.id, styleId: "professional", paymentId: created.paymentId })).toMatchObject({ jobId: job!.id, status: "completed" });

    // The delivery row's available_at is the database's now(), not the test clock's: let the clock catch up.
    api.clock.set(new Date(Math.max(Date.now(), api.clock.now().getTime()) + 60_000));
    await deliverDuePhotos({ db: api.deps.db, clock: api.clock, bot: createBotApi({ token: telegram.botToken, apiUrl: fakeBotApi.url }), photos: api.deps.media.storage, publicUrl: "https://pinglass.test" });
    const sent = fakeBotApi.accepted();
    expect(sent.filter((c) => c.method === "sendMediaGroup" || c.method === "sendPhoto").flatMap((c) => c.files)).toHaveLength(7);
  });
});
