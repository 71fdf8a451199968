import { describe, expect, it } from "vitest";
import { constantTimeEqual } from "./secrets.ts";

describe("constantTimeEqual", () => {
  it("is true only for the same bytes, whatever the lengths", () => {
    expect(constantTimeEqual("s3cret", "s3cret")).toBe(true);
    expect(constantTimeEqual(Buffer.from("s3cret"), "s3cret")).toBe(true);
    expect(constantTimeEqual("s3cret", "s3creT")).toBe(false);
    expect(constantTimeEqual("s3cre", "s3cret")).toBe(false);
    expect(constantTimeEqual("", "s3cret")).toBe(false);
  });
});
