/**
 * The face checks as a person meets them on the selfie screen (phone, Russian): each selfie's
 * verdict in plain words, a group photo and someone else's selfie refused with their reasons, only
 * good selfies counted, and the way on closed until there are five.
 */
import { describe, expect, it } from "vitest";
import { groupPhotoFile, lowContrastTexts, makeSelfies, phone, strangerSelfieFile, serverAndBrowser } from "./harness.ts";

const e2e = serverAndBrowser();

/** A signed-in account with one empty avatar, made over the API the app itself uses. */
async function accountWithAvatar() {
  const call = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${e2e.server.url}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return ((await response.json()) as { result: { data: Record<string, unknown> } }).result.data;
  };
  const session = (await call("session.start", { deviceId: crypto.randomUUID() })) as { token: string; expiresAt: string; deviceId: string };
  const avatar = (await call("avatars.create", {}, session.token)) as { id: number };
  return { session, avatarId: avatar.id };
}

describe("face checks on the selfie screen", () => {
  it("shows each selfie's verdict, refuses a group photo and a stranger with their reasons, and counts good selfies only", async () => {
    const { session, avatarId } = await accountWithAvatar();
    const context = await e2e.browser.newContext({ viewport: phone, locale: "ru-RU" });
    await context.addInitScript(
      ({ stored, deviceId }) => {
        localStorage.setItem("pinglass.onboarded", "1");
        localStorage.setItem("pinglass.session", JSON.stringify(stored));
        localStorage.setItem("pinglass.deviceId", deviceId);
      },
      { stored: { token: session.token, expiresAt: session.expiresAt }, deviceId: session.deviceId },
    );
    const page = await context.newPage();
    await page.goto(`${e2e.server.url}/avatars/${avatarId}/selfies`);
    await page.getByRole("heading", { name: "Какое селфи подойдёт" }).waitFor();
    expect(await page.getByText("В кадре только вы, лицо видно целиком").isVisible()).toBe(true);

    const selfies = await makeSelfies(5);
    await page.getByTestId("file-input").setInputFiles(selfies.slice(0, 4));
    await expect.poll(() => page.getByTestId("selfie-verdict").allTextContents(), { timeout: 90_000 }).toEqual(["Подходит", "Подходит", "Подходит", "Подходит"]);
    expect(await page.getByTestId("selfie-count").textContent()).toBe("4 из 5 хороших селфи");
    expect(await page.getByTestId("upload-next").isDisabled()).toBe(true);

    const reasons = () => page.getByTestId("refused-reason").allTextContents();
    await page.getByTestId("file-input").setInputFiles([await groupPhotoFile(), await strangerSelfieFile()]);
    await expect.poll(reasons, { timeout: 90_000 }).toEqual([
      "На фото несколько человек. Нужно селфи, где вы одни.",
      "Похоже, это другой человек, не тот, что на остальных селфи этого аватара.",
    ]);
    expect(await page.getByTestId("selfie").count()).toBe(4);
    expect(await page.getByTestId("upload-next").isDisabled()).toBe(true);

    await page.getByTestId("file-input").setInputFiles(selfies.slice(4));
    await expect.poll(() => page.getByTestId("selfie-count").textContent(), { timeout: 90_000 }).toBe("Хороших селфи: 5 — достаточно (можно до 20)");
    expect(await page.getByTestId("upload-next").isDisabled()).toBe(false);
    expect(await lowContrastTexts(page)).toEqual([]);
    await context.close();
  });
});
