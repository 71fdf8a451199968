import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { bytesReader, previewable, readImageSize } from "./imageSize.ts";

const sizeOf = async (bytes: Uint8Array) => readImageSize(bytesReader(bytes));

/** A real picture of width × height in a format, made by sharp. */
const picture = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: "#c98b6b" } });

/** A PNG that declares any size in its IHDR, with a tiny IDAT: what a pixel bomb looks like to a header reader. */
function pngDeclaring(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, "ascii"), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.alloc(1024))), chunk("IEND", Buffer.alloc(0))]);
}

describe("reading an image's size from its header", () => {
  it("reads PNG, JPEG, WebP (lossy, lossless, extended) and AVIF as sharp wrote them", async () => {
    expect(await sizeOf(await picture(640, 480).png().toBuffer())).toEqual({ width: 640, height: 480 });
    expect(await sizeOf(await picture(641, 479).jpeg().toBuffer())).toEqual({ width: 641, height: 479 });
    expect(await sizeOf(await picture(333, 222).jpeg({ progressive: true }).toBuffer())).toEqual({ width: 333, height: 222 });
    expect(await sizeOf(await picture(300, 200).webp({ quality: 60 }).toBuffer())).toEqual({ width: 300, height: 200 });
    expect(await sizeOf(await picture(301, 199).webp({ lossless: true }).toBuffer())).toEqual({ width: 301, height: 199 });
    const withAlpha = await sharp({ create: { width: 123, height: 77, channels: 4, background: "#c98b6b80" } }).webp({ quality: 60 }).withExif({ IFD0: { Artist: "x" } }).toBuffer();
    expect(await sizeOf(withAlpha)).toEqual({ width: 123, height: 77 });
    expect(await sizeOf(await picture(96, 64).avif({ effort: 0 }).toBuffer())).toEqual({ width: 96, height: 64 });
  });

  it("walks a JPEG's segments however much metadata comes before the frame header", async () => {
    const jpeg = await picture(800, 600).jpeg().toBuffer();
    // An APP1 segment of 60 KB (as phones write EXIF with a thumbnail) right after SOI.
    const app1 = Buffer.alloc(4 + 60_000);
    app1.set([0xff, 0xe1]);
    app1.writeUInt16BE(2 + 60_000, 2);
    expect(await sizeOf(Buffer.concat([jpeg.subarray(0, 2), app1, app1, jpeg.subarray(2)]))).toEqual({ width: 800, height: 600 });
  });

  it("reads the size a pixel bomb declares without decoding it", async () => {
    expect(await sizeOf(pngDeclaring(20_000, 20_000))).toEqual({ width: 20_000, height: 20_000 });
  });

  it("is null for what it cannot size: text, a cut-off header, a JPEG without a frame header", async () => {
    expect(await sizeOf(new TextEncoder().encode("это не фото, а текст"))).toBeNull();
    expect(await sizeOf(pngDeclaring(100, 100).subarray(0, 20))).toBeNull();
    expect(await sizeOf(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 8]))).toBeNull();
    expect(await sizeOf(new Uint8Array(0))).toBeNull();
  });
});

describe("which picked files get a preview", () => {
  it("only those whose header names a size within the limit", async () => {
    const blob = (bytes: Uint8Array) => new Blob([bytes.slice()]);
    expect(await previewable(blob(await picture(640, 480).jpeg().toBuffer()), 50)).toBe(true);
    // 50 MP is the limit: 7071² is just under it, 7072² just over.
    expect(await previewable(blob(pngDeclaring(7071, 7071)), 50)).toBe(true);
    expect(await previewable(blob(pngDeclaring(7072, 7072)), 50)).toBe(false);
    expect(await previewable(blob(pngDeclaring(20_000, 20_000)), 50)).toBe(false);
    expect(await previewable(blob(new TextEncoder().encode("hello")), 50)).toBe(false);
  });
});
