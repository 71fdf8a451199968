/**
 * Draws the four style preview cards (apps/web/public/styles/<style>.webp): a lit portrait
 * silhouette in each style's light and palette. Run once when a style's look changes:
 * `pnpm exec tsx scripts/style-previews.ts` in apps/web.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const outDir = fileURLToPath(new URL("../public/styles", import.meta.url));
const width = 480;
const height = 600;

interface Look {
  background: string;
  glow: string;
  rim: string;
  figure: string;
  extra: string;
}

const person = (fill: string) => `
  <path d="M240 150c-48 0-84 40-84 96 0 40 18 76 44 92v30c-70 12-128 46-150 100-8 22-10 50-10 132h400c0-82-2-110-10-132-22-54-80-88-150-100v-30c26-16 44-52 44-92 0-56-36-96-84-96z" fill="${fill}"/>`;

const looks: Record<string, Look> = {
  pinglass: {
    background: `<linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#1a1530"/><stop offset="1" stop-color="#07060d"/></linearGradient>`,
    glow: `<radialGradient id="glow" cx="0.5" cy="0.38" r="0.55"><stop offset="0" stop-color="#f3cf8e" stop-opacity="0.85"/><stop offset="0.55" stop-color="#8b6cf0" stop-opacity="0.25"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>`,
    rim: "#f6d9a6",
    figure: "#0b0a12",
    extra: `<circle cx="400" cy="80" r="3" fill="#f6d9a6" opacity="0.8"/><circle cx="80" cy="120" r="2" fill="#f6d9a6" opacity="0.6"/><circle cx="420" cy="200" r="2" fill="#fff" opacity="0.5"/>`,
  },
  professional: {
    background: `<linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#5d6b7c"/><stop offset="1" stop-color="#232a33"/></linearGradient>`,
    glow: `<radialGradient id="glow" cx="0.32" cy="0.3" r="0.6"><stop offset="0" stop-color="#e8eef5" stop-opacity="0.7"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>`,
    rim: "#dfe7f0",
    figure: "#161b22",
    extra: `<path d="M200 378l40 70 40-70" fill="none" stroke="#e9eef4" stroke-width="10" stroke-linejoin="round" opacity="0.9"/><rect x="0" y="0" width="480" height="600" fill="url(#lines)" opacity="0.06"/>`,
  },
  lifestyle: {
    background: `<linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f7b267"/><stop offset="0.6" stop-color="#e07a5f"/><stop offset="1" stop-color="#5b3a4a"/></linearGradient>`,
    glow: `<radialGradient id="glow" cx="0.78" cy="0.22" r="0.5"><stop offset="0" stop-color="#fff4d6" stop-opacity="0.95"/><stop offset="1" stop-color="#fff4d6" stop-opacity="0"/></radialGradient>`,
    rim: "#fff1cf",
    figure: "#3a2330",
    extra: `<g fill="#fff6e0" opacity="0.35"><circle cx="70" cy="110" r="26"/><circle cx="130" cy="60" r="14"/><circle cx="60" cy="230" r="18"/><circle cx="420" cy="330" r="22"/><circle cx="380" cy="420" r="12"/></g>`,
  },
  creative: {
    background: `<linearGradient id="bg" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#ff3d9a"/><stop offset="0.5" stop-color="#3b1f6e"/><stop offset="1" stop-color="#00c2d1"/></linearGradient>`,
    glow: `<radialGradient id="glow" cx="0.5" cy="0.4" r="0.5"><stop offset="0" stop-color="#ffffff" stop-opacity="0.25"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>`,
    rim: "#7ff6ff",
    figure: "#14082a",
    extra: `<circle cx="240" cy="250" r="150" fill="none" stroke="#ffe14d" stroke-width="6" opacity="0.85"/><path d="M0 520 L480 440" stroke="#ff3d9a" stroke-width="14" opacity="0.6"/>`,
  },
};

async function draw(id: string, look: Look) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 480 600">
    <defs>${look.background}${look.glow}
      <pattern id="lines" width="8" height="8" patternUnits="userSpaceOnUse"><path d="M0 8L8 0" stroke="#fff" stroke-width="1"/></pattern>
      <filter id="soft"><feGaussianBlur stdDeviation="6"/></filter>
    </defs>
    <rect width="480" height="600" fill="url(#bg)"/>
    <rect width="480" height="600" fill="url(#glow)"/>
    ${look.extra}
    <g filter="url(#soft)" opacity="0.9">${person(look.rim)}</g>
    <g transform="translate(4 4)">${person(look.figure)}</g>
  </svg>`;
  await sharp(Buffer.from(svg)).webp({ quality: 74, effort: 6 }).toFile(join(outDir, `${id}.webp`));
}

for (const [id, look] of Object.entries(looks)) await draw(id, look);
console.log(`style previews written to ${outDir}`);
