import type { HttpRefusal, UploadResult } from "@pinglass/api";
import { describe, expect, it } from "vitest";
import { outcomeOf } from "./upload.ts";

describe("reading the upload route's answer", () => {
  it("shows the server's words for a refused file and for a refused request", () => {
    const refusedFile: UploadResult = { accepted: [], rejected: [{ name: "a.txt", reason: "Это не фото.", messageKey: "errors.upload.unsupportedType" }] };
    expect(outcomeOf(200, JSON.stringify(refusedFile))).toEqual({ ok: false, reason: "Это не фото." });
    const refusedRequest: HttpRefusal = { error: { code: "TOO_MANY_REQUESTS", messageKey: "errors.tooManyRequests", message: "Слишком много запросов." } };
    expect(outcomeOf(429, JSON.stringify(refusedRequest))).toEqual({ ok: false, reason: "Слишком много запросов." });
    expect(outcomeOf(200, JSON.stringify({ accepted: [{ id: 1 }], rejected: [] }))).toEqual({ ok: true });
    expect(outcomeOf(502, "<html>Bad gateway</html>")).toMatchObject({ ok: false });
  });

  it("marks a file the server was too busy to check as one to send again, and only that one", () => {
    const busy: UploadResult = { accepted: [], rejected: [{ name: "me.jpg", reason: "Сейчас проверяем много фото.", messageKey: "errors.face.busy" }] };
    expect(outcomeOf(200, JSON.stringify(busy))).toEqual({ ok: false, reason: "Сейчас проверяем много фото.", retry: true });
    const noFace: UploadResult = { accepted: [], rejected: [{ name: "cat.jpg", reason: "На фото нет лица.", messageKey: "errors.face.none" }] };
    expect(outcomeOf(200, JSON.stringify(noFace))).toEqual({ ok: false, reason: "На фото нет лица." });
  });
});
