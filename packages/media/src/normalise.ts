import { DomainError } from "@pinglass/core";
import sharp, { type OutputInfo } from "sharp";

/** The largest upload we read at all (checked again on the stream, before buffering). */
export const maxUploadBytes = 15 * 1024 * 1024;
/**
 * Decoding stops above this many pixels: enough for a 50-megapixel phone photo, far below a
 * decompression bomb (a 20000×20000 PNG of one colour is a few kilobytes and 1.6 GB decoded).
 */
export const maxInputPixels = 50_000_000;
/** Below this on the short side a face is too small to learn a likeness from. */
export const minShortSide = 256;
export const referenceLongSide = 2048;
export const thumbnailLongSide = 384;

export type ImageType = "jpeg" | "png" | "webp" | "avif";

/** The real type of an image from its first bytes, whatever the file is called; null for anything else. */
export function detectImageType(bytes: Buffer): ImageType | null {
  const ascii = (start: number, end: number) => bytes.toString("latin1", start, end);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 8 && ascii(0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (bytes.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  // ISO-BMFF: [size]["ftyp"][major brand][minor version][compatible brands...]; HEIC shares the box, so the brand decides.
  if (bytes.length >= 16 && ascii(4, 8) === "ftyp") {
    const boxSize = Math.min(bytes.readUInt32BE(0), bytes.length, 64);
    const brands = [ascii(8, 12)];
    for (let offset = 16; offset + 4 <= boxSize; offset += 4) brands.push(ascii(offset, offset + 4));
    if (brands.some((brand) => brand === "avif" || brand === "avis")) return "avif";
  }
  return null;
}

export interface NormalisedImage {
  /** The re-encoded image: upright, sRGB, no metadata at all. */
  image: Buffer;
  imageContentType: "image/jpeg";
  /** A small WebP for lists. */
  thumbnail: Buffer;
  thumbnailContentType: "image/webp";
  width: number;
  height: number;
}

export interface NormaliseOptions {
  longSide: number;
  jpegQuality: number;
  /** Refuse images smaller than minShortSide (selfies); generated photos skip the check. */
  requireMinSize: boolean;
}

export const referenceNormalisation: NormaliseOptions = { longSide: referenceLongSide, jpegQuality: 85, requireMinSize: true };

/**
 * Turns untrusted image bytes into a safe image of ours, or throws a DomainError a person can
 * read. The type is taken from the bytes, never the name; decoding refuses bombs before it
 * allocates; EXIF orientation is applied to the pixels and then every piece of metadata (GPS,
 * camera, ICC, XMP) is dropped, because sharp writes none unless asked to.
 */
export async function normaliseImage(bytes: Buffer, options: NormaliseOptions = referenceNormalisation): Promise<NormalisedImage> {
  if (bytes.length === 0) throw new DomainError("BAD_REQUEST", "errors.upload.empty");
  if (bytes.length > maxUploadBytes) throw new DomainError("PAYLOAD_TOO_LARGE", "errors.upload.tooLarge", { maxMb: maxUploadBytes / 1024 / 1024 });
  if (!detectImageType(bytes)) throw new DomainError("BAD_REQUEST", "errors.upload.unsupportedType");

  let image: { data: Buffer; info: OutputInfo };
  try {
    image = await sharp(bytes, { limitInputPixels: maxInputPixels, failOn: "warning", autoOrient: true })
      .resize({ width: options.longSide, height: options.longSide, fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .jpeg({ quality: options.jpegQuality, chromaSubsampling: "4:2:0" })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      throw new DomainError("PAYLOAD_TOO_LARGE", "errors.upload.tooManyPixels", { maxMegapixels: maxInputPixels / 1_000_000 });
    }
    throw new DomainError("BAD_REQUEST", "errors.upload.unreadable");
  }
  const { width, height } = image.info;
  if (options.requireMinSize && Math.min(width, height) < minShortSide) throw new DomainError("BAD_REQUEST", "errors.upload.tooSmall", { min: minShortSide });

  // From the small re-encoded JPEG, not the original: far cheaper than decoding a 12-megapixel file twice.
  const thumbnail = await thumbnailOf(image.data);
  return { image: image.data, imageContentType: "image/jpeg", thumbnail, thumbnailContentType: "image/webp", width, height };
}

/** The small WebP of an image for lists; decoding it in full also proves the image is whole. */
export async function thumbnailOf(image: Buffer): Promise<Buffer> {
  try {
    return await sharp(image, { limitInputPixels: maxInputPixels, failOn: "warning" })
      .resize({ width: thumbnailLongSide, height: thumbnailLongSide, fit: "inside", withoutEnlargement: true })
      .webp({ quality: 75, effort: 2 })
      .toBuffer();
  } catch {
    throw new DomainError("BAD_REQUEST", "errors.upload.unreadable");
  }
}
