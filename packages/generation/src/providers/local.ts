import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { MediaStorage } from "@pinglass/media";
import sharp from "sharp";
import { type Scene, sceneById, scenes } from "../scenes.ts";
import { type StyleGrade, styles } from "../styles.ts";
import { type ImageProvider, type ImageRequest, ProviderError, type SubmitResult } from "./types.ts";

export const localRendererLabel = { ru: "Офлайн-превью (локальный рендер)", en: "Offline preview renderer" };

const width = 832;
const height = 1040;

/**
 * The embedded default provider: no network, no model. It composes a portrait from the avatar's
 * own selfies with sharp, giving every scene its framing, backdrop, light, colour grade, grain and
 * vignette, and labels the picture as an offline preview. Same request, same bytes.
 */
export function createLocalRenderer(storage: MediaStorage, options: { maxConcurrency?: number } = {}): ImageProvider {
  return {
    name: "local",
    maxConcurrency: options.maxConcurrency ?? 4,
    async submit(request: ImageRequest): Promise<SubmitResult> {
      if (request.references.length === 0) throw new ProviderError("no reference photos to render from", false);
      const hash = createHash("sha256").update(request.seed).digest();
      const reference = request.references[hash.readUInt32BE(0) % request.references.length]!;
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

/** Renders one scene from one selfie; `hash` (from the seed) nudges the crop and drives the grain. */
export async function renderPortrait(selfie: Buffer, scene: Scene, grade: StyleGrade, hash: Buffer): Promise<Buffer> {
  const look = scene.look;
  const jitter = (i: number) => (hash.readUInt8(8 + i) / 255 - 0.5) * 0.06;
  const source = sharp(selfie, { limitInputPixels: 40_000_000 }).rotate();

  let composed: Buffer;
  if (look.framing === "close") {
    // Fill the frame with the face: a tighter crop around the most salient region.
    const zoom = 1.3;
    const big = await source.resize(Math.round(width * zoom), Math.round(height * zoom), { fit: "cover", position: "attention" }).toBuffer();
    const left = Math.round((width * zoom - width) * clamp(0.5 + jitter(0) + (look.subjectX - 0.5)));
    const top = Math.round((height * zoom - height) * clamp(0.35 + jitter(1)));
    composed = await sharp(big).extract({ left, top, width, height }).toBuffer();
  } else {
    const scale = look.framing === "medium" ? 0.8 : 0.6;
    const w = Math.round(width * scale);
    const h = Math.round(height * scale);
    const feather = Buffer.from(
      `<svg width="${w}" height="${h}"><defs><radialGradient id="f" cx="50%" cy="45%" r="55%"><stop offset="70%" stop-color="#fff" stop-opacity="1"/><stop offset="100%" stop-color="#fff" stop-opacity="0"/></radialGradient></defs><rect width="${w}" height="${h}" fill="url(#f)"/></svg>`,
    );
    const subject = await source.resize(w, h, { fit: "cover", position: "attention" }).ensureAlpha().composite([{ input: feather, blend: "dest-in" }]).png().toBuffer();
    const left = Math.round(clamp(look.subjectX + jitter(0), 0.25, 0.75) * width - w / 2);
    composed = await sharp(backdrop(scene, hash))
      .composite([{ input: subject, left: Math.max(0, Math.min(width - w, left)), top: height - h }])
      .toBuffer();
  }

  // Colour grade: the scene's own, then the style's contrast, saturation and warmth.
  const g = look.grade;
  let graded = sharp(composed).modulate({ brightness: g.brightness, saturation: g.saturation * grade.saturation, hue: g.hue });
  if (g.mono) graded = graded.grayscale();
  if (g.tint) graded = graded.tint({ r: g.tint[0], g: g.tint[1], b: g.tint[2] });
  const c = grade.contrast;
  const warm = grade.warmth;
  // A second pass: sharp runs linear() before grayscale(), and a mono picture needs three bands here.
  const toned = await graded.toColourspace("srgb").toBuffer();
  const gradedBuffer = await sharp(toned)
    .linear([c * (1 + warm), c, c * (1 - warm)], [-(c - 1) * 128, -(c - 1) * 128, -(c - 1) * 128])
    .toBuffer();

  return sharp(gradedBuffer)
    .composite([
      { input: lightOverlay(scene), blend: "soft-light" },
      { input: await grainTile(hash, look.grain), tile: true, blend: "overlay" },
      { input: vignette(look.vignette), blend: "multiply" },
      { input: captionBand(scene), top: height - 64, left: 0 },
    ])
    .jpeg({ quality: 86 })
    .toBuffer();
}

const clamp = (v: number, min = 0, max = 1) => Math.min(max, Math.max(min, v));

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
  return sharp(pixels, { raw: { width: size, height: size, channels: 4 } }).png().toBuffer();
}

function captionBand(scene: Scene): Buffer {
  const text = `${escapeXml(scene.name.en)} · ${localRendererLabel.en} · PinGlass`;
  return Buffer.from(
    `<svg width="${width}" height="64"><rect width="${width}" height="64" fill="#000" opacity="0.45"/><text x="24" y="40" font-family="DejaVu Sans, sans-serif" font-size="22" fill="#fff" opacity="0.9">${text}</text></svg>`,
  );
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
