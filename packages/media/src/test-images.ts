import { crc32, deflateSync } from "node:zlib";
import sharp, { type Sharp } from "sharp";

/** Test images made on the spot, so the hostile corpus needs no fixtures in the repository. */

/** A photo-like JPEG: a gradient with noise, so it compresses like a real picture. */
export async function photoJpeg(width = 800, height = 600, extra: (image: Sharp) => Sharp = (i) => i): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 42;
  for (let i = 0; i < pixels.length; i += 3) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const x = (i / 3) % width;
    const y = Math.floor(i / 3 / width);
    const noise = seed % 32;
    pixels[i] = (x * 255) / width + noise;
    pixels[i + 1] = (y * 255) / height + noise;
    pixels[i + 2] = 128 + noise;
  }
  return extra(sharp(pixels, { raw: { width, height, channels: 3 } })).jpeg({ quality: 90 }).toBuffer();
}

/**
 * The same picture as other bytes: a JPEG comment segment right after SOI. Distinct files for
 * tests of many selfies (the same bytes twice are one selfie), without encoding each anew.
 */
export function distinctJpeg(jpeg: Buffer, label: string | number): Buffer {
  const text = Buffer.from(`pinglass test ${label}`, "latin1");
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segment, text, jpeg.subarray(2)]);
}

/** Left half red, right half blue: after rotation the halves tell which way is up. */
export function halvesJpeg(width: number, height: number, orientation?: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const left = p % width < width / 2;
    pixels[p * 3] = left ? 255 : 0;
    pixels[p * 3 + 2] = left ? 0 : 255;
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  return (orientation ? image.withMetadata({ orientation }) : image).jpeg().toBuffer();
}

const chunk = (type: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};

/**
 * A valid, complete 1-bit greyscale PNG of size×size, all black: tens of kilobytes on disk,
 * size² pixels when decoded. The classic decompression bomb.
 */
export function pngBomb(size = 20_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rowBytes = 1 + Math.ceil(size / 8); // a filter byte, then the packed pixels
  const raw = Buffer.alloc(rowBytes * size);
  return Buffer.concat([
    Buffer.from("\x89PNG\r\n\x1a\n", "latin1"),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
