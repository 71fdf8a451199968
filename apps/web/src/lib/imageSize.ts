/**
 * The pixel size an image file declares in its header, read from a few bytes before anything
 * decodes it. A preview (URL.createObjectURL into an <img>) makes the browser decode every pixel:
 * a 20000×20000 PNG of a few kilobytes is 1.6 GB of RGBA, enough to freeze a page or crash a
 * phone's tab. So the upload screen previews only images whose header it has read and found
 * small enough (the server's own limit).
 */
export interface ImageSize {
  width: number;
  height: number;
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

export const fileReader =
  (file: Blob): ByteReader =>
  async (offset, length) =>
    new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());

export const bytesReader =
  (bytes: Uint8Array): ByteReader =>
  async (offset, length) =>
    bytes.subarray(offset, offset + length);

const ascii = (bytes: Uint8Array, at: number, text: string) => [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));
const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u32be = (b: Uint8Array, at: number) => b[at]! * 2 ** 24 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);

/** JPEG segments walked before giving up (real files have a dozen or so before the frame header). */
const maxJpegSegments = 256;
/** How far into an AVIF file its item properties (the ispe boxes) are looked for. */
const avifHeadBytes = 64 * 1024;

/**
 * PNG (IHDR), JPEG (the SOFn frame header, found by walking the segments), WebP (VP8, VP8L,
 * VP8X) and AVIF (the largest ispe box); null for anything else, or a header cut short.
 */
export async function readImageSize(read: ByteReader): Promise<ImageSize | null> {
  const head = await read(0, 32);
  if (head.length >= 24 && head[0] === 0x89 && ascii(head, 1, "PNG\r\n\x1a\n") && ascii(head, 12, "IHDR")) {
    return sized(u32be(head, 16), u32be(head, 20));
  }
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) return jpegSize(read);
  if (head.length >= 30 && ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) return webpSize(head);
  if (head.length >= 12 && ascii(head, 4, "ftyp")) return avifSize(await read(0, avifHeadBytes));
  return null;
}

const sized = (width: number, height: number): ImageSize | null => (width > 0 && height > 0 ? { width, height } : null);

async function jpegSize(read: ByteReader): Promise<ImageSize | null> {
  let offset = 2;
  for (let i = 0; i < maxJpegSegments; i++) {
    const marker = await read(offset, 10);
    if (marker.length < 4 || marker[0] !== 0xff) return null;
    const code = marker[1]!;
    // Fill bytes before a marker, and the markers that stand alone (no length follows).
    if (code === 0xff) {
      offset += 1;
      continue;
    }
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
      offset += 2;
      continue;
    }
    // SOF0–SOF15 are frame headers; C4 (Huffman tables), C8 (reserved) and CC (arithmetic coding) are not.
    if (code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc) {
      return marker.length >= 9 ? sized(u16be(marker, 7), u16be(marker, 5)) : null;
    }
    // The scan starts or the image ends without a frame header: not a picture we can size.
    if (code === 0xda || code === 0xd9) return null;
    offset += 2 + u16be(marker, 2);
  }
  return null;
}

function webpSize(head: Uint8Array): ImageSize | null {
  if (ascii(head, 12, "VP8X")) return sized(u24le(head, 24) + 1, u24le(head, 27) + 1);
  if (ascii(head, 12, "VP8L") && head[20] === 0x2f) {
    const bits = head[21]! | (head[22]! << 8) | (head[23]! << 16) | (head[24]! << 24);
    return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(head, 12, "VP8 ") && head[23] === 0x9d && head[24] === 0x01 && head[25] === 0x2a) {
    return sized(u16le(head, 26) & 0x3fff, u16le(head, 28) & 0x3fff);
  }
  return null;
}

/** AVIF keeps each image item's size in an ispe property; a grid's is the whole picture, so the largest counts. */
function avifSize(head: Uint8Array): ImageSize | null {
  // The major brand and the compatible ones (ftyp: size, "ftyp", major, minor version, compatible…); HEIC has no "avif".
  const ftypEnd = Math.min(u32be(head, 0), head.length);
  const brands = [8, ...Array.from({ length: Math.max(0, (ftypEnd - 16) / 4) }, (_, i) => 16 + i * 4)].map((at) => String.fromCharCode(...head.subarray(at, at + 4)));
  if (!brands.includes("avif") && !brands.includes("avis")) return null;
  let largest: ImageSize | null = null;
  for (let at = 4; at + 16 <= head.length; at++) {
    if (!ascii(head, at, "ispe")) continue;
    const size = sized(u32be(head, at + 8), u32be(head, at + 12));
    if (size && (!largest || size.width * size.height > largest.width * largest.height)) largest = size;
  }
  return largest;
}

/**
 * Whether a picked file may be previewed: its header names a size the browser can decode without
 * harm. A file whose size cannot be read (a format we do not know, a cut-off header, a text file)
 * gets no preview either: the server says what is wrong with it.
 */
export async function previewable(file: Blob, maxMegapixels: number): Promise<boolean> {
  const size = await readImageSize(fileReader(file)).catch(() => null);
  return size !== null && size.width * size.height <= maxMegapixels * 1_000_000;
}
