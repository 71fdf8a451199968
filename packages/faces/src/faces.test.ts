import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkFaceModels, createFaceAnalyzer, type FaceAnalysis, FaceAnalyzerBusyError, FaceModelsUnavailableError, faceThresholds, identityOf, portraitVerdict, selfieVerdict, similarity, UnreadableImageError } from "./index.ts";
import { cropAroundFace } from "./faces.ts";
import { blurredSelfie, groupPhoto, noFacePicture, samePersonPhotos, selfieFrom, selfieOf, selfiesOf, tiltedSelfie, tinyFaceSelfie } from "./testing.ts";

const analyzer = createFaceAnalyzer({ poolSize: 1 });
let man: FaceAnalysis[];
let manIdentity: number[];

beforeAll(async () => {
  man = await Promise.all((await selfiesOf("man", 4)).map((bytes) => analyzer.analyse(bytes)));
  manIdentity = identityOf(man.map((a) => a.faces[0]!.embedding))!;
});
afterAll(() => analyzer.close());

describe("a selfie's analysis", () => {
  it("finds one frontal, sharp face with a unit-length identity embedding", () => {
    const [analysis] = man;
    expect(analysis!.faces).toHaveLength(1);
    const face = analysis!.faces[0]!;
    expect(face.verified).toBe(true);
    expect(face.sizeRatio).toBeGreaterThan(faceThresholds.minSizeRatio);
    expect(Math.abs(face.yaw)).toBeLessThan(faceThresholds.maxYaw);
    expect(face.sharpness).toBeGreaterThan(faceThresholds.minSharpness);
    expect(face.embedding).toHaveLength(1024);
    expect(similarity(face.embedding, face.embedding)).toBeCloseTo(1, 5);
    // The box is where the face is: about the middle of the picture, a bit above the centre.
    expect(face.box.x + face.box.width / 2).toBeGreaterThan(0.35);
    expect(face.box.x + face.box.width / 2).toBeLessThan(0.65);
    expect(face.box.y + face.box.height / 2).toBeLessThan(0.5);
    for (const analysis of man) expect(selfieVerdict(analysis)).toBe("ok");
  });

  it("refuses a group photo, a tiny face, a blurred one, a tilted head and a picture without a face, each for its own reason", async () => {
    const verdicts = await Promise.all(
      [groupPhoto(), tinyFaceSelfie(), blurredSelfie(), tiltedSelfie(), noFacePicture()].map(async (bytes) => selfieVerdict(await analyzer.analyse(await bytes))),
    );
    expect(verdicts).toEqual(["several", "tooSmall", "blurry", "turned", "none"]);
  });

  it("takes the same person's other selfies and other real photos, and refuses strangers", async () => {
    // A variation these four do not include (a slight turn of the picture), and a different photo of him.
    expect(selfieVerdict(await analyzer.analyse(await selfieOf("man", 9)), manIdentity)).toBe("ok");
    expect(selfieVerdict(await analyzer.analyse(await selfieFrom(samePersonPhotos[1]!)), manIdentity)).toBe("ok");
    for (const stranger of ["blonde", "beard", "monochrome"] as const) {
      expect(selfieVerdict(await analyzer.analyse(await selfieOf(stranger)), manIdentity), stranger).toBe("otherPerson");
    }
  });

  it("judges generated portraits: likeness to the identity, refused for a stranger, a crowd or no face", async () => {
    const own = portraitVerdict(await analyzer.analyse(await selfieOf("man", 5)), manIdentity);
    expect(own.ok).toBe(true);
    expect(own.likeness).toBeGreaterThanOrEqual(faceThresholds.minSimilarity);
    const stranger = portraitVerdict(await analyzer.analyse(await selfieOf("curls")), manIdentity);
    expect(stranger).toMatchObject({ ok: false, reason: "unlike" });
    expect(stranger.likeness).toBeLessThan(faceThresholds.minSimilarity);
    expect(portraitVerdict(await analyzer.analyse(await groupPhoto()), manIdentity)).toMatchObject({ ok: false, reason: "several" });
    expect(portraitVerdict(await analyzer.analyse(await noFacePicture()), manIdentity)).toEqual({ ok: false, reason: "none", likeness: null });
  });

  it("crops a selfie around its face with a margin, and the crop is the same face", async () => {
    const bytes = await selfieOf("man", 6);
    const analysis = await analyzer.analyse(bytes);
    const crop = await cropAroundFace(bytes, analysis.faces[0]!.box);
    const meta = await sharp(crop).metadata();
    expect(meta.width).toBeLessThan(640);
    const cropped = await analyzer.analyse(crop);
    expect(cropped.faces[0]!.sizeRatio).toBeGreaterThan(analysis.faces[0]!.sizeRatio);
    expect(similarity(cropped.faces[0]!.embedding, manIdentity)).toBeGreaterThanOrEqual(faceThresholds.minSimilarity);
  });

  it("refuses bytes that are not an image, and keeps working after", async () => {
    await expect(analyzer.analyse(Buffer.from("not an image at all"))).rejects.toBeInstanceOf(UnreadableImageError);
    expect((await analyzer.analyse(await selfieOf("man"))).faces).toHaveLength(1);
  });
});

describe("identity", () => {
  it("is the medoid: one other person among the selfies does not move it", () => {
    const a = [1, 0, 0];
    const b = [0.9, 0.1, 0];
    const c = [0.95, 0, 0.05];
    const stranger = [0, 0, 1];
    expect(identityOf([a, stranger, b, c])).toEqual(c);
    expect(identityOf([])).toBeNull();
    expect(similarity(a, stranger)).toBe(0);
  });
});

describe("the analyser's pool", () => {
  it("refuses work beyond its queue instead of holding unbounded images", async () => {
    const small = createFaceAnalyzer({ poolSize: 1, maxQueue: 1 });
    try {
      const bytes = await selfieOf("man");
      const first = small.analyse(bytes);
      const second = small.analyse(bytes);
      await expect(small.analyse(bytes)).rejects.toBeInstanceOf(FaceAnalyzerBusyError);
      expect((await first).faces).toHaveLength(1);
      expect((await second).faces).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it("refuses an analysis that could not reach a worker within its wait, and still does the ones in hand", async () => {
    const small = createFaceAnalyzer({ poolSize: 1 });
    try {
      const bytes = await selfieOf("man");
      // The first takes the one worker (its models load first: far longer than 50 ms).
      let firstDone = false;
      const first = small.analyse(bytes).finally(() => (firstDone = true));
      await expect(small.analyse(bytes, { maxWaitMs: 50 })).rejects.toThrow(FaceAnalyzerBusyError);
      // Refused while the worker was still busy, not when it came free.
      expect(firstDone).toBe(false);
      const patient = small.analyse(bytes);
      expect((await first).faces).toHaveLength(1);
      expect((await patient).faces).toHaveLength(1);
      // With the worker free, a short wait is no obstacle.
      expect(small.expectedWaitMs()).toBe(0);
      expect((await small.analyse(bytes, { maxWaitMs: 50 })).faces).toHaveLength(1);
      // One at work and one waiting: the next would wait about two analyses, and is told so at once.
      const [busy, queued] = [small.analyse(bytes), small.analyse(bytes)];
      expect(small.expectedWaitMs()).toBeGreaterThan(0);
      await expect(small.analyse(bytes, { maxWaitMs: small.expectedWaitMs() - 1 })).rejects.toThrow(/ahead/);
      await Promise.all([busy, queued]);
    } finally {
      await small.close();
    }
  });

  it("says clearly when the models are missing, at start and on use", async () => {
    const empty = mkdtempSync(join(tmpdir(), "pinglass-no-models-"));
    expect(() => checkFaceModels(empty)).toThrow(/blazeface\.json is missing/);
    expect(() => checkFaceModels()).not.toThrow();
    const broken = createFaceAnalyzer({ modelsDir: empty });
    try {
      const error = await broken.analyse(await selfieOf("man")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FaceModelsUnavailableError);
      expect((error as Error).message).toMatch(/could not be loaded/);
    } finally {
      await broken.close();
    }
  });
});
