import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { withoutJpegMetadata } from "./jpeg-segments.ts";

const segment = (marker: number, payload: string) => {
  const body = Buffer.from(payload, "latin1");
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
};

/** A real JPEG with extra segments put in right after SOI. */
async function jpegWith(...segments: Buffer[]) {
  const plain = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#c86" } }).jpeg().toBuffer();
  return Buffer.concat([plain.subarray(0, 2), ...segments, plain.subarray(2)]);
}

describe("withoutJpegMetadata", () => {
  it("drops EXIF, XMP, IPTC and comments, keeps the segments that decide how pixels decode", async () => {
    const icc = segment(0xe2, "ICC_PROFILE\0fake");
    const adobe = segment(0xee, "Adobe\0\0\0\0\0\0\0");
    const jfif = segment(0xe0, "JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    const input = await jpegWith(jfif, segment(0xe1, "Exif\0\0GPS here"), segment(0xe1, "http://ns.adobe.com/xap/1.0/\0<xmp/>"), segment(0xed, "Photoshop 3.0\0IPTC"), segment(0xfe, "a comment"), icc, adobe);
    const output = withoutJpegMetadata(input)!;
    for (const gone of ["GPS here", "<xmp/>", "IPTC", "a comment"]) expect(output.includes(gone)).toBe(false);
    expect(output.includes(icc)).toBe(true);
    expect(output.includes(adobe)).toBe(true);
    expect(output.includes(jfif)).toBe(true);
    // Everything from the start of scan on is byte for byte the same.
    const sos = input.indexOf(Buffer.from([0xff, 0xda]));
    expect(output.subarray(output.indexOf(Buffer.from([0xff, 0xda]))).equals(input.subarray(sos))).toBe(true);
  });

  it("gives up on anything it cannot walk", async () => {
    expect(withoutJpegMetadata(Buffer.from("\x89PNG\r\n\x1a\n", "latin1"))).toBeNull();
    const input = await jpegWith();
    const lengthAt = 4;
    const broken = Buffer.from(input);
    broken.writeUInt16BE(0xfff0, lengthAt);
    expect(withoutJpegMetadata(broken)).toBeNull();
    expect(withoutJpegMetadata(input.subarray(0, 20))).toBeNull();
  });
});
