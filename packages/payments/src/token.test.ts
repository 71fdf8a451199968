import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@pinglass/db";
import { describe, expect, it } from "vitest";
import { hasValidToken, signed, tbankToken } from "./token.ts";

interface Vector {
  id: string;
  password: string;
  body: Record<string, unknown>;
  expected_token: string;
}
/** Published vectors (T-Bank's documentation), each with its source: test-vectors/tbank-token.json. */
const vectors = (JSON.parse(readFileSync(join(repoRoot, "test-vectors/tbank-token.json"), "utf8")) as { tbank_token: Vector[] }).tbank_token;

describe("the T-Bank token", () => {
  it("covers the published vectors", () => {
    expect(vectors.map((v) => v.id)).toEqual(["TB-1", "TB-1b", "TB-2"]);
  });

  for (const vector of vectors) {
    it(`reproduces ${vector.id}`, () => {
      expect(tbankToken(vector.body, vector.password)).toBe(vector.expected_token);
      expect(hasValidToken({ ...vector.body, Token: vector.expected_token }, vector.password)).toBe(true);
    });
  }

  it("takes booleans as true/false and numbers as written, and ignores Token, nested objects and arrays", () => {
    const body = { TerminalKey: "T", Success: true, Amount: 49900, PaymentId: 13660, DATA: { a: 1 }, Items: [1] };
    const manual = "49900" + "11111" + "13660" + "true" + "T";
    expect(tbankToken(body, "11111")).toBe(createHash("sha256").update(manual).digest("hex"));
    expect(tbankToken({ ...body, Token: "x" }, "11111")).toBe(tbankToken(body, "11111"));
  });

  it("refuses a forged, altered, malformed or missing token", () => {
    const body = signed({ TerminalKey: "T", OrderId: "1", Amount: 100, Status: "CONFIRMED", Success: true }, "pw");
    expect(hasValidToken(body, "pw")).toBe(true);
    expect(hasValidToken(body, "other")).toBe(false);
    expect(hasValidToken({ ...body, Amount: 101 }, "pw")).toBe(false);
    expect(hasValidToken({ ...body, Success: "true" }, "pw")).toBe(true);
    expect(hasValidToken({ ...body, Status: "REFUNDED" }, "pw")).toBe(false);
    expect(hasValidToken({ ...body, Token: body.Token.toUpperCase() }, "pw")).toBe(true);
    for (const token of [undefined, "", "abc", 42, body.Token.slice(1), `${body.Token}00`]) expect(hasValidToken({ ...body, Token: token }, "pw")).toBe(false);
  });
});
