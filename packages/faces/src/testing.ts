/**
 * Test selfies made at test time from the real photos that ship inside @vladmandic/human
 * (assets/*.jpg): face crops of several people, turned into selfie-like pictures with the changes
 * a real set of selfies has (mirror, light, JPEG quality, framing, a slight turn), plus the
 * pictures the checks must refuse. Nothing is downloaded and no copy of those photos is kept in
 * the repository.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp, { type Sharp } from "sharp";
// @ts-expect-error plain JavaScript module (it also runs in worker threads), typed by its use here
import { humanPaths } from "./engine.mjs";

const assets = join(humanPaths().bundle, "../../assets");
const assetCache = new Map<string, Buffer>();
function asset(name: string): Buffer {
  let bytes = assetCache.get(name);
  if (!bytes) assetCache.set(name, (bytes = readFileSync(join(assets, name))));
  return bytes;
}

interface Region {
  file: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The face crops of screenshot-facematch.jpg: 6 rows of 18, each about 104 px square. */
const matchCell = (row: number, column: number): Region => ({
  file: "screenshot-facematch.jpg",
  left: Math.round(column * 106.67) + 2,
  top: [283, 395, 508, 620, 732, 845][row]!,
  width: 103,
  height: 106,
});
/** The five face crops along the bottom of screenshot-facedetect.jpg, about 150 px square. */
const detectCell = (index: number): Region => ({ file: "screenshot-facedetect.jpg", left: [7, 164, 321, 478, 640][index]!, top: 346, width: 150, height: 151 });

/**
 * Eight different people, one source photo each. The first (a man) also has other photos of his
 * own in the facematch grid: `samePersonPhotos`.
 */
export const people = {
  man: detectCell(0),
  brunette: detectCell(1),
  blonde: detectCell(2),
  auburn: detectCell(3),
  monochrome: detectCell(4),
  curls: matchCell(4, 11),
  beard: matchCell(1, 16),
  fringe: matchCell(4, 8),
} satisfies Record<string, Region>;
export type Person = keyof typeof people;
export const personNames = Object.keys(people) as Person[];

/** Other real photos of `man` (the facematch grid's first row, his face in different pictures). */
export const samePersonPhotos: Region[] = Array.from({ length: 10 }, (_, i) => matchCell(0, i + 1));

function crop(region: Region): Sharp {
  const { file, ...box } = region;
  return sharp(asset(file)).extract(box);
}

/** How a variant differs from the plain selfie. */
export interface Variation {
  mirror?: boolean;
  brightness?: number;
  saturation?: number;
  jpegQuality?: number;
  /** Face width as a share of the picture's width (0.5 by default). */
  faceShare?: number;
  /** Where the face sits, as a shift of its centre in picture widths. */
  shiftX?: number;
  /** A turn of the picture, in degrees (the head tilts with it). */
  rotate?: number;
  /** Gaussian blur sigma, in pixels of the final picture. */
  blur?: number;
}

/**
 * The variations of a person's selfies: 11, so that each person has at least 10 besides the plain
 * one. Kept mild, as a person's own selfies differ.
 */
export const variations: Variation[] = [
  {},
  { mirror: true },
  { brightness: 1.3 },
  { brightness: 0.7 },
  { jpegQuality: 35 },
  { faceShare: 0.62 },
  { faceShare: 0.4 },
  { mirror: true, brightness: 0.8 },
  { saturation: 0.2 },
  { rotate: 8 },
  { shiftX: 0.12, jpegQuality: 60 },
];

const selfieWidth = 640;
const selfieHeight = 800;

/** A selfie-like picture of one face: the face crop enlarged, framed on a canvas continued from its own edges. */
export async function selfieFrom(region: Region, variation: Variation = {}): Promise<Buffer> {
  const faceWidth = Math.round(selfieWidth * (variation.faceShare ?? 0.5));
  const faceHeight = Math.round((faceWidth * region.height) / region.width);
  let face = crop(region).resize(faceWidth, faceHeight, { kernel: "lanczos3" });
  if (variation.mirror) face = face.flop();
  const left = Math.round((selfieWidth - faceWidth) / 2 + (variation.shiftX ?? 0) * selfieWidth);
  const top = Math.round(selfieHeight * 0.38 - faceHeight / 2);
  let picture = sharp(await face.toBuffer()).extend({
    left,
    right: selfieWidth - faceWidth - left,
    top,
    bottom: selfieHeight - faceHeight - top,
    extendWith: "copy",
  });
  picture = sharp(await picture.toBuffer());
  if (variation.rotate) {
    picture = sharp(await picture.rotate(variation.rotate, { background: "#808080" }).toBuffer());
    const meta = await picture.metadata();
    picture = picture.extract({ left: Math.round((meta.width - selfieWidth) / 2), top: Math.round((meta.height - selfieHeight) / 2), width: selfieWidth, height: selfieHeight });
  }
  if (variation.brightness || variation.saturation !== undefined) picture = picture.modulate({ brightness: variation.brightness ?? 1, saturation: variation.saturation ?? 1 });
  if (variation.blur) picture = picture.blur(variation.blur);
  return picture.jpeg({ quality: variation.jpegQuality ?? 90 }).toBuffer();
}

/** Selfie number `index` of a person (one of the variations, in order; then round again). */
export const selfieOf = (person: Person, index = 0): Promise<Buffer> => selfieFrom(people[person], variations[index % variations.length]);

/** A person's first `count` selfies. */
export const selfiesOf = (person: Person, count: number): Promise<Buffer[]> => Promise.all(Array.from({ length: count }, (_, i) => selfieOf(person, i)));

/** The group photo of samples.jpg (a dozen people at a party). */
export const groupPhoto = (): Promise<Buffer> => sharp(asset("samples.jpg")).extract({ left: 0, top: 380, width: 1280, height: 778 }).jpeg({ quality: 90 }).toBuffer();

/** A face far too small for a portrait: a selfie shrunk into the middle of a big canvas. */
export async function tinyFaceSelfie(person: Person = "man"): Promise<Buffer> {
  const small = await sharp(await selfieOf(person)).resize(160).toBuffer();
  return sharp({ create: { width: 1600, height: 2000, channels: 3, background: "#9aa7b0" } })
    .composite([{ input: small, left: 720, top: 800 }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A selfie out of focus. */
export const blurredSelfie = (person: Person = "man"): Promise<Buffer> => selfieFrom(people[person], { blur: 9 });

/** The head tilted far over (45°). */
export const tiltedSelfie = (person: Person = "man"): Promise<Buffer> => selfieFrom(people[person], { rotate: 45, faceShare: 0.45 });

/** A picture without a face: the lamps on the ceiling above the party in samples.jpg. */
export const noFacePicture = (): Promise<Buffer> => sharp(asset("samples.jpg")).extract({ left: 700, top: 200, width: 560, height: 180 }).resize(900).jpeg({ quality: 90 }).toBuffer();
