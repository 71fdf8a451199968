/**
 * pnpm bench:likeness — the face checks' figures, on the labelled set built from the real photos
 * inside @vladmandic/human (src/testing.ts):
 *
 * - false accepts (a stranger taken for the avatar's person) and false rejects (the person taken
 *   for a stranger) at the chosen similarity threshold, and around it: 8 people × 11 selfies each,
 *   every selfie against the identity (medoid) of its own person's other selfies and of every
 *   other person's; plus 10 other real photos of one of them (not variations of one photo);
 * - the selfie verdicts of the pictures that must be refused;
 * - analysis time per selfie after warm-up (a 12-megapixel JPEG and a 1024 px one, decoding and
 *   resizing included) next to Human's own detection on the same pixels; first-call time; peak memory.
 */
import sharp from "sharp";
import { createFaceAnalyzer, type FaceAnalysis, faceThresholds, identityOf, selfieVerdict, similarity } from "../src/index.ts";
import { blurredSelfie, groupPhoto, noFacePicture, personNames, people, samePersonPhotos, selfieFrom, selfieOf, tiltedSelfie, tinyFaceSelfie, variations } from "../src/testing.ts";

const goals = { falseAccept: 0.01, falseReject: 0.05, timeRatio: 1.2 };
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const ms = (x: number) => `${Math.round(x)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

// First call: a fresh analyser, its worker and models started by the first selfie.
const firstBytes = await selfieOf("man");
const startedAt = performance.now();
const analyzer = createFaceAnalyzer({ poolSize: 2 });
await analyzer.analyse(firstBytes);
const firstCallMs = performance.now() - startedAt;

const embeddingOf = async (bytes: Buffer) => (await analyzer.analyse(bytes)).faces[0]?.embedding ?? [];

// The labelled set.
const selfies = new Map<string, number[][]>();
for (const person of personNames) {
  selfies.set(person, await Promise.all(variations.map(async (_, i) => embeddingOf(await selfieOf(person, i)))));
}
const otherPhotos = await Promise.all(samePersonPhotos.map(async (region) => embeddingOf(await selfieFrom(region))));

function rates(threshold: number) {
  let genuine = 0;
  let falseRejects = 0;
  let impostor = 0;
  let falseAccepts = 0;
  for (const [person, embeddings] of selfies) {
    embeddings.forEach((embedding, i) => {
      const identity = identityOf(embeddings.filter((_, j) => j !== i))!;
      genuine++;
      if (similarity(embedding, identity) < threshold) falseRejects++;
    });
    const identity = identityOf(embeddings)!;
    for (const [stranger, theirs] of selfies) {
      if (stranger === person) continue;
      for (const embedding of theirs) {
        impostor++;
        if (similarity(embedding, identity) >= threshold) falseAccepts++;
      }
    }
  }
  const manIdentity = identityOf(selfies.get("man")!)!;
  const otherPhotoRejects = otherPhotos.filter((e) => similarity(e, manIdentity) < threshold).length;
  return { genuine, falseRejects, impostor, falseAccepts, otherPhotoRejects };
}

console.log(`labelled set: ${personNames.length} people × ${variations.length} selfies (mirror, light, JPEG quality, framing, a slight turn), from Human's sample photos`);
console.log("threshold  false accepts        false rejects      other real photos of one person refused");
for (const threshold of [0.5, 0.55, 0.6, 0.65, 0.7, 0.75]) {
  const r = rates(threshold);
  const mark = threshold === faceThresholds.minSimilarity ? " ← chosen" : "";
  console.log(
    `${threshold.toFixed(2).padEnd(10)} ${`${r.falseAccepts}/${r.impostor} = ${pct(r.falseAccepts / r.impostor)}`.padEnd(20)} ${`${r.falseRejects}/${r.genuine} = ${pct(r.falseRejects / r.genuine)}`.padEnd(18)} ${r.otherPhotoRejects}/${otherPhotos.length}${mark}`,
  );
}
const chosen = rates(faceThresholds.minSimilarity);
const closest: [string, number][] = [];
for (const [person, embeddings] of selfies) {
  const identity = identityOf(embeddings)!;
  for (const [stranger, theirs] of selfies) {
    if (stranger !== person) closest.push([`${stranger} as ${person}`, Math.max(...theirs.map((e) => similarity(e, identity)))]);
  }
}
closest.sort((a, b) => b[1] - a[1]);
console.log(`closest strangers: ${closest.slice(0, 4).map(([pair, s]) => `${pair} ${s.toFixed(3)}`).join(", ")}`);

// The pictures that must be refused.
const refusals: [string, Promise<Buffer>, string][] = [
  ["group photo", groupPhoto(), "several"],
  ["tiny face", tinyFaceSelfie(), "tooSmall"],
  ["blurred", blurredSelfie(), "blurry"],
  ["tilted 45°", tiltedSelfie(), "turned"],
  ["no face", noFacePicture(), "none"],
  ["a stranger", selfieOf("blonde"), "otherPerson"],
];
const manIdentity = identityOf(selfies.get("man")!);
console.log("\nverdicts of pictures that must be refused:");
let wrongVerdicts = 0;
for (const [name, bytes, expected] of refusals) {
  const verdict = selfieVerdict(await analyzer.analyse(await bytes), manIdentity);
  if (verdict !== expected) wrongVerdicts++;
  console.log(`  ${name.padEnd(12)} ${verdict}${verdict === expected ? "" : ` (expected ${expected})`}`);
}

// Time per selfie after warm-up, next to Human's own detection on the same pixels.
async function timing(label: string, jpeg: Buffer, rounds = 5) {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  await analyzer.analyse(jpeg);
  await analyzer.detectOnly(data, info.width, info.height);
  const ours: number[] = [];
  const human: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await analyzer.analyse(jpeg);
    ours.push(performance.now() - started);
    human.push((await analyzer.detectOnly(data, info.width, info.height)).ms);
  }
  const ratio = median(ours) / median(human);
  console.log(`  ${label.padEnd(28)} ours ${ms(median(ours)).padEnd(8)} Human's detect ${ms(median(human)).padEnd(8)} ratio ${ratio.toFixed(2)}`);
  return ratio;
}
const base = await selfieFrom(people.man, {});
// Sensor-like grain, so the 12 MP file weighs what a phone's does (a smooth enlargement compresses to almost nothing).
const grain = await sharp({ create: { width: 3000, height: 4000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 24 } } }).png().toBuffer();
const twelveMp = await sharp(base).resize(3000, 4000, { kernel: "lanczos3" }).composite([{ input: grain, blend: "soft-light" }]).jpeg({ quality: 92 }).toBuffer();
const small = await sharp(base).resize(819, 1024).jpeg({ quality: 90 }).toBuffer();
console.log("\nanalysis time per selfie after warm-up (median of 5; ours = decode, shrink, Human, sharpness, transfer):");
const ratios = [await timing(`12 MP JPEG (${(twelveMp.length / 1e6).toFixed(1)} MB)`, twelveMp), await timing("1024 px JPEG", small)];

await analyzer.close();
clearInterval(sampler);
const resourcePeak = process.resourceUsage().maxRSS * 1024;
peakRss = Math.max(peakRss, resourcePeak);
console.log(`\nfirst call (worker start, models loaded, one selfie): ${ms(firstCallMs)}`);
console.log(`peak memory (resident, whole process, 2 workers): ${Math.round(peakRss / 1024 / 1024)} MB`);

const falseAccept = chosen.falseAccepts / chosen.impostor;
const falseReject = chosen.falseRejects / chosen.genuine;
const met = falseAccept <= goals.falseAccept && falseReject <= goals.falseReject && ratios.every((r) => r <= goals.timeRatio) && wrongVerdicts === 0;
console.log(
  `\nGOALS ${met ? "met" : "NOT met"}: false accept ${pct(falseAccept)} (≤ ${pct(goals.falseAccept)}), false reject ${pct(falseReject)} (≤ ${pct(goals.falseReject)}), time ratio ${ratios.map((r) => r.toFixed(2)).join(" / ")} (≤ ${goals.timeRatio}), refusals ${refusals.length - wrongVerdicts}/${refusals.length}`,
);
export type { FaceAnalysis };
