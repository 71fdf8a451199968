/**
 * What a face analysis says, the one set of thresholds, and the decisions made from them: a
 * selfie's verdict, an avatar's identity, a portrait's likeness, the best selfies to send.
 */
import sharp from "sharp";

/** A face's box in fractions of the picture (0..1), so it holds for every size of the same picture. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Face {
  box: FaceBox;
  /** √(face box area / picture area): 0.5 is a face filling a quarter of the picture. */
  sizeRatio: number;
  /** Head turn left/right, nod up/down and tilt, in degrees (0 when the face is not verified). */
  yaw: number;
  pitch: number;
  roll: number;
  /** The detector's confidence. */
  score: number;
  /** The face mesh confirmed the face, so its angles are measured. */
  verified: boolean;
  /** Variance of the Laplacian over the face's own contrast, ×100: about 3–20 for a sharp face, under 1 for a blurred one. */
  sharpness: number;
  /** The identity embedding (Human's faceres, 1024 numbers, unit length). */
  embedding: number[];
}

export interface FaceAnalysis {
  /** The size of the pixels analysed (the picture shrunk to at most 1024 px). */
  width: number;
  height: number;
  /** Biggest first. */
  faces: Face[];
}

/**
 * Every threshold of the face checks, in one place. Calibrated on the test set built from Human's
 * sample photos (`pnpm bench:likeness` prints the figures); see packages/faces/README.md.
 */
export const faceThresholds = {
  /** The face must be at least this big (sizeRatio): a face that fills under ~2 % of the picture is too small to learn from. */
  minSizeRatio: 0.15,
  /** Another face at least this share of the main face's size makes a picture "several people". */
  otherFaceShare: 0.5,
  /** Head turned (yaw), nodding (pitch) or tilted (roll) further than this, in degrees, is refused. */
  maxYaw: 35,
  maxPitch: 30,
  maxRoll: 35,
  /** Below this sharpness the face is too blurred. */
  minSharpness: 1,
  /** Cosine similarity to the avatar's identity at or above which a face is the same person (selfies and portraits alike). */
  minSimilarity: 0.7,
  /** The identity check starts once an avatar has this many good selfies. */
  identityAfter: 3,
} as const;

export type FaceThresholds = { [K in keyof typeof faceThresholds]: number };

export type SelfieVerdict = "ok" | "none" | "several" | "tooSmall" | "turned" | "blurry" | "otherPerson";

/** Cosine similarity of two embeddings: 1 the same, about 0.3–0.5 for strangers with this model. */
export function similarity(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    normA += a[i]! * a[i]!;
    normB += b[i]! * b[i]!;
  }
  return normA && normB ? dot / Math.sqrt(normA * normB) : 0;
}

/**
 * The identity of a set of selfies: their medoid, the embedding most similar to all the others.
 * One odd selfie (another person, a bad shot) cannot pull a medoid towards itself the way it pulls
 * an average. Null for no embeddings.
 */
export function identityOf(embeddings: readonly (readonly number[])[]): number[] | null {
  const usable = embeddings.filter((e) => e.length > 0);
  if (usable.length === 0) return null;
  let best = usable[0]!;
  let bestTotal = -Infinity;
  for (const candidate of usable) {
    let total = 0;
    for (const other of usable) if (other !== candidate) total += similarity(candidate, other);
    if (total > bestTotal) {
      bestTotal = total;
      best = candidate;
    }
  }
  return [...best];
}

/** The face a picture is about: the biggest. */
export const mainFace = (analysis: FaceAnalysis): Face | undefined => analysis.faces[0];

/** Faces big enough next to the main one to say the picture shows several people. */
function crowded(analysis: FaceAnalysis, thresholds: FaceThresholds): boolean {
  const main = mainFace(analysis);
  return !!main && analysis.faces.slice(1).some((face) => face.sizeRatio >= main.sizeRatio * thresholds.otherFaceShare);
}

/**
 * Whether a picture is a usable selfie, and if not, the first reason a person can act on. With an
 * identity (the avatar already has enough good selfies), a face below the similarity threshold is
 * another person.
 */
export function selfieVerdict(analysis: FaceAnalysis, identity?: readonly number[] | null, thresholds: FaceThresholds = faceThresholds): SelfieVerdict {
  const face = mainFace(analysis);
  if (!face) return "none";
  if (crowded(analysis, thresholds)) return "several";
  if (face.sizeRatio < thresholds.minSizeRatio) return "tooSmall";
  if (face.sharpness < thresholds.minSharpness) return "blurry";
  // A sharp, big face the mesh could not confirm is almost always a head turned away or hidden.
  if (!face.verified) return "turned";
  if (Math.abs(face.yaw) > thresholds.maxYaw || Math.abs(face.pitch) > thresholds.maxPitch || Math.abs(face.roll) > thresholds.maxRoll) return "turned";
  if (identity && identity.length > 0 && similarity(face.embedding, identity) < thresholds.minSimilarity) return "otherPerson";
  return "ok";
}

export type PortraitVerdict = { ok: true; likeness: number } | { ok: false; reason: "none" | "several" | "unlike"; likeness: number | null };

/**
 * The identity gate for a generated portrait: one face (others much smaller are fine: people in
 * the background of a scene), and that face is the avatar's person.
 */
export function portraitVerdict(analysis: FaceAnalysis, identity: readonly number[], thresholds: FaceThresholds = faceThresholds): PortraitVerdict {
  const face = mainFace(analysis);
  if (!face) return { ok: false, reason: "none", likeness: null };
  const likeness = Math.round(similarity(face.embedding, identity) * 1000) / 1000;
  if (crowded(analysis, thresholds)) return { ok: false, reason: "several", likeness };
  if (likeness < thresholds.minSimilarity) return { ok: false, reason: "unlike", likeness };
  return { ok: true, likeness };
}

/** What a stored selfie keeps of its analysis (the columns of reference_photos). */
export interface SelfieFace {
  box: FaceBox;
  sharpness: number;
  sizeRatio: number;
  yaw: number;
  pitch: number;
  roll: number;
  embedding: number[];
}

/**
 * How good a selfie is as a reference for the provider: sharp, frontal and big. A score to sort by,
 * not a threshold: the best come first.
 */
export function referenceQuality(face: Pick<SelfieFace, "sharpness" | "sizeRatio" | "yaw" | "pitch" | "roll">): number {
  const turn = (Math.abs(face.yaw) + Math.abs(face.roll) + Math.abs(face.pitch) / 2) / 90;
  return Math.min(face.sharpness, 20) / 20 + Math.min(face.sizeRatio, 0.6) / 0.6 - 2 * turn;
}

/**
 * The JPEG of a picture cropped around its face with a margin (a share of the face's size on each
 * side), kept inside the picture: what a provider needs of a selfie, without the room around it.
 */
export async function cropAroundFace(image: Uint8Array, box: FaceBox, margin = 0.6, longSide = 1024): Promise<Buffer> {
  const picture = sharp(image, { autoOrient: true });
  const { width = 0, height = 0, autoOrient } = await picture.metadata();
  const w = autoOrient?.width ?? width;
  const h = autoOrient?.height ?? height;
  const cx = (box.x + box.width / 2) * w;
  const cy = (box.y + box.height / 2) * h;
  const half = (Math.max(box.width * w, box.height * h) * (1 + 2 * margin)) / 2;
  const left = Math.max(0, Math.round(cx - half));
  const top = Math.max(0, Math.round(cy - half * 1.1));
  const right = Math.min(w, Math.round(cx + half));
  const bottom = Math.min(h, Math.round(cy + half * 1.1));
  return picture
    .extract({ left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) })
    .resize({ width: longSide, height: longSide, fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: 90 })
    .toBuffer();
}
