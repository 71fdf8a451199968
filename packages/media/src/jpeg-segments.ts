/**
 * Drops the metadata segments of a baseline or progressive JPEG without touching the compressed
 * pixels: EXIF and XMP (APP1), IPTC/Photoshop (APP13), comments and every other application
 * segment, except the three that change how the pixels decode: JFIF (APP0), the ICC profile (APP2)
 * and Adobe's colour transform (APP14). Returns null when the bytes are not a JPEG it can walk
 * (the caller then re-encodes instead).
 */
export function withoutJpegMetadata(bytes: Buffer): Buffer | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const kept: Buffer[] = [bytes.subarray(0, 2)];
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1]!;
    // Fill bytes before a marker are allowed.
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    // Start of scan: the entropy-coded data and everything after it stay as they are.
    if (marker === 0xda) {
      kept.push(bytes.subarray(offset));
      return Buffer.concat(kept);
    }
    const length = bytes.readUInt16BE(offset + 2);
    if (length < 2 || offset + 2 + length > bytes.length) return null;
    const isApplication = marker >= 0xe0 && marker <= 0xef;
    const keep = !(isApplication || marker === 0xfe) || marker === 0xe0 || marker === 0xe2 || marker === 0xee;
    if (keep) kept.push(bytes.subarray(offset, offset + 2 + length));
    offset += 2 + length;
  }
  return null;
}
