import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { MediaStorage } from "@pinglass/media";
import sharp, { type OverlayOptions } from "sharp";
import { type Scene, sceneById, scenes } from "../scenes.ts";
import { type StyleGrade, styles } from "../styles.ts";
import { type ImageProvider, type ImageRequest, ProviderError, type SubmitResult } from "./types.ts";

export const localRendererLabel = { ru: "Офлайн-превью (локальный рендер)", en: "Offline preview renderer" };

const width = 832;
const height = 1040;

/**
 * The embedded default provider: no network, no model. It composes a portrait from the avatar's
 * best selfie's face with sharp, giving every scene its framing, backdrop, light, colour grade,
 * grain and vignette, and labels the picture as an offline preview. The face is the person's own,
 * so the photos pass the likeness gate. Same request, same bytes.
 */
export function createLocalRenderer(storage: MediaStorage, options: { maxConcurrency?: number } = {}): ImageProvider {
  return {
    name: "local",
    maxConcurrency: options.maxConcurrency ?? 4,
    async submit(request: ImageRequest): Promise<SubmitResult> {
      if (request.references.length === 0) throw new ProviderError("no reference photos to render from", false);
      const hash = createHash("sha256").update(request.seed).digest();
      // The references come best first, each cropped around its face (see the worker): the best one is the face.
      const reference = request.references[0]!;
      const object = await storage.get(reference.key);
      if (!object) throw new ProviderError(`reference photo ${reference.key} is missing from storage`, false);
      const selfie = await streamToBuffer(object.body);
      const scene = (request.scene && sceneById.get(request.scene.sceneId)) || scenes[hash.readUInt8(4) % scenes.length]!;
      const grade = styles.find((s) => s.id === request.scene?.styleId)?.grade ?? { contrast: 1, saturation: 1, warmth: 0 };
      const image = await renderPortrait(selfie, scene, grade, hash);
      return { kind: "succeeded", image, contentType: "image/jpeg" };
    },
    async check(taskId: string) {
      // submit() always finishes at once, so there is never a task to look up.
      throw new ProviderError(`the local renderer has no task ${taskId}`, false);
    },
  };
}

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Renders one scene from one selfie cropped around its face (the face in the middle, a margin of
 * about its own size around it); `hash` (from the seed) nudges the framing and drives the grain.
 * The face is the selfie's own pixels, scaled and placed, never redrawn: close-ups fill the frame
 * with it, other framings set the head, softly cut out along an ellipse, on shoulders before the
 * scene's backdrop.
 */
export async function renderPortrait(selfie: Buffer, scene: Scene, grade: StyleGrade, hash: Buffer): Promise<Buffer> {
  const look = scene.look;
  const jitter = (i: number) => (hash.readUInt8(8 + i) / 255 - 0.5) * 0.06;
  const source = sharp(selfie, { limitInputPixels: 40_000_000 }).rotate();

  let composed: Buffer;
  /** The head of a medium or wide framing, set again over the finished scene (see below). */
  let head: { image: Buffer; left: number; top: number } | null = null;
  if (look.framing === "close") {
    const zoom = 1.12;
    const big = await source.resize(Math.round(width * zoom), Math.round(height * zoom), { fit: "cover", position: "centre" }).toBuffer();
    const left = Math.round((width * zoom - width) * clamp(0.5 + jitter(0) + (look.subjectX - 0.5) / 2));
    const top = Math.round((height * zoom - height) * clamp(0.4 + jitter(1)));
    composed = await sharp(big).extract({ left, top, width, height }).toBuffer();
  } else {
    // The head about 60 % (medium) or 45 % (wide) of the frame's width, the face about half of that.
    const side = Math.round(width * (look.framing === "medium" ? 0.6 : 0.45));
    const tall = Math.round(side * 1.15);
    const cutOut = await source
      .resize(side, tall, { fit: "cover", position: "centre" })
      .ensureAlpha()
      .composite([{ input: ellipseMask(side, tall), blend: "dest-in" }])
      .png(lossless)
      .toBuffer();
    const centreX = clamp(look.subjectX + jitter(0), 0.3, 0.7) * width;
    const top = Math.round(height * (look.framing === "medium" ? 0.14 : 0.22) + jitter(1) * height);
    const left = Math.round(Math.max(0, Math.min(width - side, centreX - side / 2)));
    head = { image: cutOut, left, top };
    composed = await sharp(backdrop(scene, hash))
      .composite([
        { input: shoulders(left + side / 2, top + tall * 0.8, side), left: 0, top: 0 },
        { input: cutOut, left, top },
      ])
      .png(lossless)
      .toBuffer();
  }

  // Colour grade: the scene's own, then the style's contrast, saturation and warmth.
  const g = look.grade;
  const gradedBuffer = await graded(composed, g, grade);
  const grain = await grainTile(hash, look.grain);
  const layers: OverlayOptions[] = [
    { input: lightOverlay(scene), blend: "soft-light" },
    { input: grain, tile: true, blend: "overlay" },
    { input: vignette(look.vignette), blend: "multiply" },
  ];
  if (head) {
    // The scene's night, candlelight or vignette may darken the backdrop as far as it likes; the
    // face keeps its light, half-way to the scene's grade, so it stays the person's.
    // A tint (sepia, duotone) goes only to the scene: on a face it takes the features' colours.
    const mild = { ...g, tint: undefined, brightness: 1 + (g.brightness - 1) / 2, saturation: 1 + (g.saturation - 1) / 2 };
    const face = await sharp(await graded(head.image, mild, { ...grade, contrast: 1 + (grade.contrast - 1) / 2 }, true))
      .composite([{ input: await grainTile(hash, look.grain / 3), tile: true, blend: "overlay" }, { input: ellipseMask(...(await sizeOf(head.image))), blend: "dest-in" }])
      .png(lossless)
      .toBuffer();
    layers.push({ input: face, left: head.left, top: head.top });
  }
  layers.push({ input: captionBand(scene), top: height - 64, left: 0 });
  return sharp(gradedBuffer).composite(layers).jpeg({ quality: 86 }).toBuffer();
}

/** A picture through a scene's grade and a style's contrast, saturation and warmth (PNG with its alpha when `keepAlpha`). */
async function graded(image: Buffer, g: Scene["look"]["grade"], grade: StyleGrade, keepAlpha = false): Promise<Buffer> {
  let pipeline = sharp(image).modulate({ brightness: g.brightness, saturation: g.saturation * grade.saturation, hue: g.hue });
  if (g.mono) pipeline = pipeline.grayscale();
  if (g.tint) pipeline = pipeline.tint({ r: g.tint[0], g: g.tint[1], b: g.tint[2] });
  const c = grade.contrast;
  const warm = grade.warmth;
  // A second pass: sharp runs linear() before grayscale(), and a mono picture needs three bands here.
  const toned = await pipeline.toColourspace("srgb").png(lossless).toBuffer();
  const out = sharp(toned).linear([c * (1 + warm), c, c * (1 - warm)], [-(c - 1) * 128, -(c - 1) * 128, -(c - 1) * 128]);
  return keepAlpha ? out.png(lossless).toBuffer() : out.removeAlpha().png(lossless).toBuffer();
}

async function sizeOf(image: Buffer): Promise<[number, number]> {
  const { width: w = 0, height: h = 0 } = await sharp(image).metadata();
  return [w, h];
}

/** The steps between sharp pipelines: PNG without deflate keeps every pixel and costs a fraction of the time. */
const lossless = { compressionLevel: 0 } as const;

const clamp = (v: number, min = 0, max = 1) => Math.min(max, Math.max(min, v));

/** Opaque over the face and hair (the middle of a face crop), fading out at its edge: no box, no glow. */
function ellipseMask(w: number, h: number): Buffer {
  return Buffer.from(
    `<svg width="${w}" height="${h}"><defs><radialGradient id="m" cx="50%" cy="50%" r="50%"><stop offset="72%" stop-color="#fff" stop-opacity="1"/><stop offset="100%" stop-color="#fff" stop-opacity="0"/></radialGradient></defs><ellipse cx="${w / 2}" cy="${h * 0.47}" rx="${w * 0.33}" ry="${h * 0.42}" fill="url(#m)"/></svg>`,
  );
}

/** Shoulders under the chin, in a dark neutral jacket: a figure in the scene, not a floating face. */
function shoulders(cx: number, chinY: number, headSide: number): Buffer {
  const span = headSide * 0.62;
  const collar = headSide * 0.14;
  return Buffer.from(
    `<svg width="${width}" height="${height}"><path d="M ${cx - span} ${height} L ${cx - span} ${chinY + headSide * 0.32} Q ${cx - span} ${chinY + headSide * 0.12} ${cx - collar * 2} ${chinY + headSide * 0.08} L ${cx - collar} ${chinY} L ${cx + collar} ${chinY} L ${cx + collar * 2} ${chinY + headSide * 0.08} Q ${cx + span} ${chinY + headSide * 0.12} ${cx + span} ${chinY + headSide * 0.32} L ${cx + span} ${height} Z" fill="#262b36"/></svg>`,
  );
}

function backdrop(scene: Scene, hash: Buffer): Buffer {
  const { sky, motif, motifColour } = scene.look;
  const r = (i: number) => hash.readUInt8(12 + (i % 16)) / 255;
  return Buffer.from(
    `<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky[0]}"/><stop offset="1" stop-color="${sky[1]}"/></linearGradient></defs><rect width="${width}" height="${height}" fill="url(#sky)"/>${motifShapes(motif, motifColour, r)}</svg>`,
  );
}

/** A few shapes that say where we are: peaks, sea, an awning, a skyline, trees... */
function motifShapes(motif: Scene["look"]["motif"], colour: string, r: (i: number) => number): string {
  const parts: string[] = [];
  const fill = `fill="${colour}"`;
  switch (motif) {
    case "peaks":
      for (let i = 0; i < 4; i++) {
        const x = i * 260 - 80 + r(i) * 60;
        const peak = 380 + r(i + 4) * 160;
        parts.push(`<polygon points="${x},${height * 0.72} ${x + 200},${peak} ${x + 420},${height * 0.72}" ${fill} opacity="${0.55 + i * 0.1}"/>`);
      }
      parts.push(`<rect y="${height * 0.72}" width="${width}" height="${height}" fill="#dfe9f1"/>`);
      break;
    case "sea":
    case "horizon":
      parts.push(`<rect y="${height * 0.55}" width="${width}" height="${height}" ${fill} opacity="0.85"/>`);
      for (let i = 0; i < 6; i++) parts.push(`<rect x="${r(i) * width * 0.8}" y="${height * 0.58 + i * 40}" width="${80 + r(i + 6) * 160}" height="4" fill="#fff" opacity="0.5"/>`);
      if (motif === "horizon") parts.push(`<circle cx="${width * 0.3}" cy="${height * 0.55}" r="70" fill="#fff1d6" opacity="0.8"/>`);
      break;
    case "awning":
      for (let i = 0; i < 9; i++) parts.push(`<rect x="${i * 96}" y="0" width="48" height="${height * 0.18}" ${fill}/>`);
      parts.push(`<rect y="${height * 0.78}" width="${width}" height="${height}" fill="#6b4a33" opacity="0.6"/>`);
      break;
    case "skyline":
      for (let i = 0; i < 10; i++) {
        const h = 200 + r(i) * 420;
        parts.push(`<rect x="${i * 86}" y="${height * 0.8 - h}" width="78" height="${h + height}" ${fill}/>`);
        for (let w = 0; w < 5; w++) parts.push(`<rect x="${i * 86 + 10 + (w % 2) * 34}" y="${height * 0.8 - h + 20 + w * 36}" width="18" height="14" fill="#ffd58a" opacity="${r(i + w) > 0.5 ? 0.7 : 0.15}"/>`);
      }
      break;
    case "trees":
      for (let i = 0; i < 8; i++) {
        const x = r(i) * width;
        parts.push(`<rect x="${x - 8}" y="${height * 0.45}" width="16" height="${height}" fill="#4a2c1a" opacity="0.7"/><circle cx="${x}" cy="${height * 0.4}" r="${90 + r(i + 8) * 70}" ${fill} opacity="0.75"/>`);
      }
      break;
    case "shelves":
      for (let row = 0; row < 7; row++) {
        parts.push(`<rect y="${row * 150 + 130}" width="${width}" height="14" ${fill}/>`);
        for (let b = 0; b < 18; b++) parts.push(`<rect x="${b * 46 + r(b + row) * 8}" y="${row * 150 + 30 + r(b) * 20}" width="34" height="${100 - r(b + row) * 20}" fill="hsl(${Math.round(r(b * row + 1) * 360)},35%,${30 + r(b) * 20}%)"/>`);
      }
      break;
    case "stripes":
      for (let i = 0; i < 8; i++) parts.push(`<rect y="${height * 0.55 + i * 60}" width="${width}" height="22" ${fill} opacity="0.7"/>`);
      break;
    case "bokeh":
      for (let i = 0; i < 22; i++) parts.push(`<circle cx="${r(i) * width}" cy="${r(i + 3) * height * 0.8}" r="${20 + r(i + 7) * 60}" ${fill} opacity="${0.15 + r(i + 11) * 0.35}"/>`);
      break;
    case "rain":
      for (let i = 0; i < 90; i++) {
        const x = r(i) * width + (i * 37) % width;
        const y = r(i + 5) * height + (i * 53) % height;
        parts.push(`<line x1="${x % width}" y1="${y % height}" x2="${(x % width) - 12}" y2="${(y % height) + 60}" stroke="${colour}" stroke-width="2" opacity="0.35"/>`);
      }
      parts.push(`<rect y="${height * 0.8}" width="${width}" height="${height}" fill="#5a7fa6" opacity="0.25"/>`);
      break;
    case "arches":
      for (let i = 0; i < 4; i++) parts.push(`<path d="M ${i * 230 - 40} ${height} V ${height * 0.45} A 115 115 0 0 1 ${i * 230 + 190} ${height * 0.45} V ${height}" fill="none" stroke="${colour}" stroke-width="34" opacity="0.7"/>`);
      break;
    case "panes":
      for (let x = 0; x < 4; x++) for (let y = 0; y < 4; y++) parts.push(`<rect x="${40 + x * 200}" y="${40 + y * 180}" width="180" height="160" ${fill} opacity="${0.35 + r(x * 4 + y) * 0.3}"/>`);
      break;
  }
  return parts.join("");
}

function lightOverlay(scene: Scene): Buffer {
  const { x, y, colour } = scene.look.light;
  return Buffer.from(
    `<svg width="${width}" height="${height}"><defs><radialGradient id="l" cx="${x * 100}%" cy="${y * 100}%" r="85%"><stop offset="0" stop-color="${colour}" stop-opacity="0.95"/><stop offset="1" stop-color="#000" stop-opacity="0.5"/></radialGradient></defs><rect width="${width}" height="${height}" fill="url(#l)"/></svg>`,
  );
}

function vignette(strength: number): Buffer {
  const edge = Math.round(255 * (1 - strength));
  return Buffer.from(
    `<svg width="${width}" height="${height}"><defs><radialGradient id="v" cx="50%" cy="45%" r="75%"><stop offset="0.55" stop-color="#fff"/><stop offset="1" stop-color="rgb(${edge},${edge},${edge})"/></radialGradient></defs><rect width="${width}" height="${height}" fill="url(#v)"/></svg>`,
  );
}

/** Film grain from the seed (sharp's own noise is random, and renders must be reproducible). */
async function grainTile(hash: Buffer, strength: number): Promise<Buffer> {
  const size = 128;
  const pixels = Buffer.alloc(size * size * 4);
  let state = hash.readUInt32BE(28) || 1;
  for (let i = 0; i < size * size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const v = 128 + (((state >>> 0) % 256) - 128) * Math.min(1, strength * 4);
    pixels[i * 4] = pixels[i * 4 + 1] = pixels[i * 4 + 2] = Math.round(v);
    pixels[i * 4 + 3] = 255;
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 4 } }).png(lossless).toBuffer();
}

function captionBand(scene: Scene): Buffer {
  const text = `${escapeXml(scene.name.en)} · ${localRendererLabel.en} · PinGlass`;
  return Buffer.from(
    `<svg width="${width}" height="64"><rect width="${width}" height="64" fill="#000" opacity="0.45"/><text x="24" y="40" font-family="DejaVu Sans, sans-serif" font-size="22" fill="#fff" opacity="0.9">${text}</text></svg>`,
  );
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
