/**
 * One selfie's face analysis from its bytes: decode and shrink with sharp, Human on the pixels,
 * and a sharpness measure of our own (Human has none). Plain JavaScript: it runs in worker threads.
 */
import sharp from "sharp";

/** Long side of the pixels Human sees: its detector looks at 256 px and faceres at 224 px, so more only costs time. */
export const analysisLongSide = 1024;
/** Decoding stops above this many pixels (a decompression bomb), as the upload pipeline's does. */
const maxInputPixels = 50_000_000;
/** Faces are compared for sharpness at one size, so a big face is not sharper only for being big. */
const sharpnessSide = 128;
const degrees = (radians) => Math.round(((radians ?? 0) * 180) / Math.PI * 10) / 10;

/** Upright RGB pixels of at most analysisLongSide, and the image's own (upright) size. */
export async function decodeForAnalysis(bytes) {
  const image = sharp(bytes, { limitInputPixels: maxInputPixels, failOn: "error", autoOrient: true });
  const { data, info } = await image
    .resize({ width: analysisLongSide, height: analysisLongSide, fit: "inside", withoutEnlargement: true })
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height };
}

/**
 * Variance of the Laplacian of the face (grey, averaged down to sharpnessSide px square) over the
 * face's own contrast: the usual focus measure, made blind to how dim or flat-lit the face is. A
 * sharp face has strong edges (eyes, lashes, lips); blur flattens them. Plain loops over the
 * decoded pixels: no second trip through libvips.
 */
export function sharpnessOf(pixels, box) {
  const left = Math.max(0, Math.floor(box.x));
  const top = Math.max(0, Math.floor(box.y));
  const width = Math.max(1, Math.min(pixels.width - left, Math.round(box.width)));
  const height = Math.max(1, Math.min(pixels.height - top, Math.round(box.height)));
  // Never enlarged: a small face is measured at its own size (blocks of copied pixels would read as edges).
  const n = Math.max(3, Math.min(sharpnessSide, width, height));
  const { rgb } = pixels;
  const source = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    let offset = ((top + y) * pixels.width + left) * 3;
    for (let x = 0; x < width; x++, offset += 3) source[y * width + x] = 0.299 * rgb[offset] + 0.587 * rgb[offset + 1] + 0.114 * rgb[offset + 2];
  }
  // Each cell averages its block of the face.
  const grey = new Float64Array(n * n);
  for (let cy = 0; cy < n; cy++) {
    const y0 = Math.floor((cy * height) / n);
    const y1 = Math.max(y0 + 1, Math.floor(((cy + 1) * height) / n));
    for (let cx = 0; cx < n; cx++) {
      const x0 = Math.floor((cx * width) / n);
      const x1 = Math.max(x0 + 1, Math.floor(((cx + 1) * width) / n));
      let total = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) total += source[y * width + x];
      grey[cy * n + cx] = total / ((y1 - y0) * (x1 - x0));
    }
  }
  let sum = 0;
  let sumSquares = 0;
  let greySum = 0;
  let greySquares = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      const value = grey[i - n] + grey[i + n] + grey[i - 1] + grey[i + 1] - 4 * grey[i];
      sum += value;
      sumSquares += value * value;
      greySum += grey[i];
      greySquares += grey[i] * grey[i];
    }
  }
  const count = (n - 2) * (n - 2);
  const mean = sum / count;
  const greyMean = greySum / count;
  const contrast = Math.max(greySquares / count - greyMean * greyMean, 25);
  return Math.round(((sumSquares / count - mean * mean) / contrast) * 10_000) / 100;
}

function unit(vector) {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return Array.from(vector, (v) => Math.round((v / norm) * 1e6) / 1e6);
}

/**
 * Faces of decoded pixels, biggest first: box in fractions of the picture, size, angles in
 * degrees, sharpness, and the unit-length identity embedding.
 */
export async function facesOf(engine, pixels) {
  const result = await engine.detect(pixels.rgb, pixels.width, pixels.height);
  const faces = [];
  for (const face of result.face) {
    const [x, y, w, h] = face.box;
    const box = { x: Math.max(0, x), y: Math.max(0, y), width: Math.min(w, pixels.width - Math.max(0, x)), height: Math.min(h, pixels.height - Math.max(0, y)) };
    if (box.width <= 1 || box.height <= 1) continue;
    const angle = face.rotation?.angle ?? {};
    faces.push({
      box: { x: box.x / pixels.width, y: box.y / pixels.height, width: box.width / pixels.width, height: box.height / pixels.height },
      sizeRatio: Math.round(Math.sqrt((box.width * box.height) / (pixels.width * pixels.height)) * 1000) / 1000,
      yaw: degrees(angle.yaw),
      pitch: degrees(angle.pitch),
      roll: degrees(angle.roll),
      score: Math.round((face.score ?? 0) * 1000) / 1000,
      // The mesh confirmed the face (and so the angles are measured); unconfirmed faces still count as faces.
      verified: face.rotation?.angle !== undefined,
      sharpness: sharpnessOf(pixels, box),
      embedding: face.embedding?.length ? unit(face.embedding) : [],
    });
  }
  return faces.sort((a, b) => b.sizeRatio - a.sizeRatio);
}

/** The whole analysis of one image's bytes. Throws for bytes that are not a readable image. */
export async function analyseBytes(engine, bytes) {
  const pixels = await decodeForAnalysis(bytes);
  return { width: pixels.width, height: pixels.height, faces: await facesOf(engine, pixels) };
}
