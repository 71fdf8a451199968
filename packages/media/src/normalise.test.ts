import { translate } from "@pinglass/core";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { detectImageType, maxUploadBytes, normaliseImage, referenceLongSide } from "./normalise.ts";
import { halvesJpeg, photoJpeg, pngBomb } from "./test-images.ts";

/** The message key a rejected file gets, and that it reads well in both languages. */
async function rejection(bytes: Buffer) {
  const error = await normaliseImage(bytes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ name: "DomainError" });
  const { key, params } = error as { key: string; params: Record<string, string | number> };
  expect(translate(key, "ru", params)).not.toBe(key);
  expect(translate(key, "en", params)).not.toMatch(/\{/);
  return key;
}

describe("image type detection from the bytes", () => {
  it("knows JPEG, PNG, WebP and AVIF whatever they are called, and nothing else", async () => {
    const base = sharp({ create: { width: 16, height: 16, channels: 3, background: "#888" } });
    expect(detectImageType(await base.clone().jpeg().toBuffer())).toBe("jpeg");
    expect(detectImageType(await base.clone().png().toBuffer())).toBe("png");
    expect(detectImageType(await base.clone().webp().toBuffer())).toBe("webp");
    expect(detectImageType(await base.clone().avif().toBuffer())).toBe("avif");
    expect(detectImageType(await base.clone().gif().toBuffer())).toBeNull();
    expect(detectImageType(await base.clone().tiff().toBuffer())).toBeNull();
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from("ftypheic\0\0\0\0mif1heic", "latin1")]);
    expect(detectImageType(heic)).toBeNull();
    expect(detectImageType(Buffer.alloc(0))).toBeNull();
  });
});

describe("the hostile upload corpus", () => {
  it("zero bytes", async () => {
    expect(await rejection(Buffer.alloc(0))).toBe("errors.upload.empty");
  });

  it("a truncated JPEG", async () => {
    const whole = await photoJpeg(800, 600);
    expect(await rejection(whole.subarray(0, Math.floor(whole.length / 2)))).toBe("errors.upload.unreadable");
  });

  it("an SVG with a script", async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="500" height="500"><script>alert(document.cookie)</script><rect width="500" height="500"/></svg>');
    expect(await rejection(svg)).toBe("errors.upload.unsupportedType");
  });

  it("a text file named .jpg", async () => {
    expect(await rejection(Buffer.from("Hello, I am photo.jpg, honestly.\n".repeat(100)))).toBe("errors.upload.unsupportedType");
  });

  it("a text file that starts like a JPEG", async () => {
    expect(await rejection(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("just text ".repeat(100))]))).toBe("errors.upload.unreadable");
  });

  it("a 20000×20000 PNG (decompression bomb) is refused before it is decoded", async () => {
    const bomb = pngBomb(20_000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 20_000, height: 20_000, format: "png" });
    expect(await rejection(bomb)).toBe("errors.upload.tooManyPixels");
  });

  it("a 50 MB file", async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 7);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    expect(big.length).toBeGreaterThan(maxUploadBytes);
    expect(await rejection(big)).toBe("errors.upload.tooLarge");
  });

  it("a tiny image", async () => {
    expect(await rejection(await photoJpeg(200, 120))).toBe("errors.upload.tooSmall");
  });

  it("a photo with GPS EXIF comes out with no metadata at all", async () => {
    const tagged = await photoJpeg(1200, 900, (image) =>
      image.withExif({
        IFD0: { Make: "SpyPhone", Model: "X1", Copyright: "secret owner" },
        IFD3: { GPSLatitudeRef: "N", GPSLatitude: "55/1 45/1 2112/100", GPSLongitudeRef: "E", GPSLongitude: "37/1 37/1 1968/100" },
      }),
    );
    const before = await sharp(tagged).metadata();
    expect(before.exif?.toString("latin1")).toContain("SpyPhone");
    expect(before.exif!.length).toBeGreaterThan(100);

    const result = await normaliseImage(tagged);
    for (const output of [result.image, result.thumbnail]) {
      const after = await sharp(output).metadata();
      expect(after.exif).toBeUndefined();
      expect(after.xmp).toBeUndefined();
      expect(after.iptc).toBeUndefined();
      expect(after.icc).toBeUndefined();
      expect(output.toString("latin1")).not.toMatch(/SpyPhone|secret owner|Exif\0\0/);
    }
  });

  it("an EXIF-rotated photo comes out upright, with the orientation baked into the pixels", async () => {
    // Stored 600×400 (red left, blue right) with orientation 6: it is displayed turned 90° clockwise, red on top.
    const rotated = await halvesJpeg(600, 400, 6);
    const result = await normaliseImage(rotated);
    expect([result.width, result.height]).toEqual([400, 600]);
    const meta = await sharp(result.image).metadata();
    expect(meta.orientation).toBeUndefined();
    const { data, info } = await sharp(result.image).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const [topRed, , topBlue] = pixel(200, 100);
    const [bottomRed, , bottomBlue] = pixel(200, 500);
    expect(topRed).toBeGreaterThan(200);
    expect(topBlue).toBeLessThan(60);
    expect(bottomBlue).toBeGreaterThan(200);
    expect(bottomRed).toBeLessThan(60);
  });
});

describe("normalising a good photo", () => {
  it("re-encodes a large photo to at most 2048px as JPEG with a small WebP thumbnail", async () => {
    const result = await normaliseImage(await photoJpeg(3000, 2000));
    expect([result.width, result.height]).toEqual([referenceLongSide, 1365]);
    expect(await sharp(result.image).metadata()).toMatchObject({ format: "jpeg", width: 2048, height: 1365 });
    expect(await sharp(result.thumbnail).metadata()).toMatchObject({ format: "webp", width: 384, height: 256 });
  });

  it("accepts PNG (alpha flattened onto white), WebP and AVIF and keeps small photos at their size", async () => {
    const base = () => sharp({ create: { width: 500, height: 400, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } });
    for (const bytes of [await base().png().toBuffer(), await base().webp().toBuffer(), await base().avif().toBuffer()]) {
      const result = await normaliseImage(bytes);
      expect([result.width, result.height]).toEqual([500, 400]);
      const meta = await sharp(result.image).metadata();
      expect(meta.format).toBe("jpeg");
      expect(meta.hasAlpha).toBe(false);
    }
  });
});
