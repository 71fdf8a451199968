/**
 * The selfie upload pipeline against its floor: per 12-megapixel JPEG, the full normalisation
 * (type check, bomb-safe decode, EXIF rotation, metadata stripping, 2048px JPEG + WebP thumbnail)
 * versus a bare `sharp(buf).resize(2048).jpeg()` of the same file. The two alternate, so load
 * from anything else on the machine hits both alike. Not a test: run `pnpm bench:upload`.
 */
import sharp from "sharp";
import { normaliseImage } from "../src/normalise.ts";
import { photoJpeg } from "../src/test-images.ts";

const iterations = Number(process.env.BENCH_ITERATIONS ?? 15);
const photo = await photoJpeg(4000, 3000);

const contenders = {
  floor: { label: "bare sharp(buf).resize(2048).jpeg()", run: () => sharp(photo).resize(2048).jpeg().toBuffer(), samples: [] as number[] },
  pipeline: { label: "normaliseImage (full pipeline + thumbnail)", run: () => normaliseImage(photo), samples: [] as number[] },
};

// Warm-up: the first call loads codecs.
for (const contender of Object.values(contenders)) await contender.run();
for (let i = 0; i < iterations; i++) {
  for (const contender of i % 2 ? [contenders.pipeline, contenders.floor] : [contenders.floor, contenders.pipeline]) {
    const start = performance.now();
    await contender.run();
    contender.samples.push(performance.now() - start);
  }
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
console.log(`upload pipeline per 4000×3000 JPEG (${(photo.length / 1024 / 1024).toFixed(1)} MB), ${iterations} alternating iterations`);
for (const { label, samples } of Object.values(contenders)) {
  console.log(`  ${label.padEnd(44)} median ${median(samples).toFixed(1).padStart(7)} ms   min ${Math.min(...samples).toFixed(1).padStart(7)} ms`);
}
const ratio = median(contenders.pipeline.samples) / median(contenders.floor.samples);
console.log(`  ratio to the floor (medians): ${ratio.toFixed(2)}×   (min/min ${(Math.min(...contenders.pipeline.samples) / Math.min(...contenders.floor.samples)).toFixed(2)}×; goal ≤ 1.25×)`);
