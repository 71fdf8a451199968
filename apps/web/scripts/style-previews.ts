/**
 * Draws the four style preview cards (apps/web/public/styles/<style>.webp): an editorial
 * portrait illustration per style — its own person, wardrobe, set and light — so the choice
 * reads as "this is how my photos will look", not as an empty placeholder. Vector art rendered
 * by sharp (librsvg), with a little film grain, saved as small WebP files (~15–25 KB).
 * Run when a style's look changes: `pnpm exec tsx scripts/style-previews.ts` in apps/web.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const outDir = fileURLToPath(new URL("../public/styles", import.meta.url));
const width = 480;
const height = 600;

interface Person {
  skin: string;
  skinShade: string;
  hair: string;
  hairLight: string;
  lips: string;
  iris: string;
  /** Long hair falls behind the shoulders; short hair is a cut. */
  hairStyle: "long" | "bob" | "short" | "bun";
  masculine?: boolean;
}

interface Look {
  person: Person;
  /** The set behind the person (painted first). */
  backdrop: string;
  /** Clothing, drawn over the shoulders. */
  outfit: string;
  /** Where the key light comes from: -1 left, 1 right. */
  lightSide: -1 | 1;
  /** The key light's colour on the skin and hair edge. */
  rim: string;
  /** Optional coloured light from the other side (creative gels). */
  fill?: string;
  /** Anything in front: bokeh, light leaks, the colour grade. */
  overlay: string;
  grade: string;
}

const defs = (look: Look) => `
  <linearGradient id="skin" x1="${look.lightSide < 0 ? 0 : 1}" y1="0" x2="${look.lightSide < 0 ? 1 : 0}" y2="0.3">
    <stop offset="0" stop-color="${look.person.skin}"/><stop offset="0.55" stop-color="${look.person.skin}"/><stop offset="1" stop-color="${look.person.skinShade}"/>
  </linearGradient>
  <linearGradient id="neck" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${look.person.skinShade}"/><stop offset="0.45" stop-color="${look.person.skin}"/></linearGradient>
  <linearGradient id="hair" x1="${look.lightSide < 0 ? 0 : 1}" y1="0" x2="${look.lightSide < 0 ? 1 : 0}" y2="1">
    <stop offset="0" stop-color="${look.person.hairLight}"/><stop offset="0.5" stop-color="${look.person.hair}"/><stop offset="1" stop-color="${look.person.hair}"/>
  </linearGradient>
  <radialGradient id="blush" cx="0.5" cy="0.5" r="0.5"><stop offset="0" stop-color="#e0706a" stop-opacity="0.35"/><stop offset="1" stop-color="#e0706a" stop-opacity="0"/></radialGradient>
  <radialGradient id="vignette" cx="0.5" cy="0.45" r="0.75"><stop offset="0.55" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.55"/></radialGradient>
  <filter id="blur4"><feGaussianBlur stdDeviation="4"/></filter>
  <filter id="blur10"><feGaussianBlur stdDeviation="10"/></filter>
  <filter id="blur24"><feGaussianBlur stdDeviation="24"/></filter>
  <filter id="grain" x="0" y="0" width="100%" height="100%">
    <feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" seed="7" result="noise"/>
    <feColorMatrix in="noise" type="matrix" values="0 0 0 0 0.5  0 0 0 0 0.5  0 0 0 0 0.5  0 0 0 0.9 0"/>
  </filter>
  <linearGradient id="gel" x1="${look.lightSide < 0 ? 0 : 1}" y1="0" x2="${look.lightSide < 0 ? 1 : 0}" y2="0"><stop offset="0" stop-color="${look.rim}" stop-opacity="0.28"/><stop offset="0.5" stop-color="${look.rim}" stop-opacity="0"/><stop offset="0.7" stop-color="${look.fill ?? look.rim}" stop-opacity="0"/><stop offset="1" stop-color="${look.fill ?? look.rim}" stop-opacity="0.4"/></linearGradient>
  <clipPath id="headClip"><path d="${head(look.person)}"/></clipPath>`;

const head = (p: Person) =>
  p.masculine
    ? "M240 142 C 300 142 326 192 325 246 C 324 296 306 334 272 348 C 256 355 224 355 208 348 C 174 334 156 296 155 246 C 154 192 180 142 240 142 Z"
    : "M240 146 C 298 146 322 196 321 248 C 320 300 292 344 240 350 C 188 344 160 300 159 248 C 158 196 182 146 240 146 Z";

function hairBack(p: Person) {
  if (p.hairStyle === "long")
    return `<path d="M240 118 C 142 118 118 200 128 290 C 136 360 112 430 124 500 C 170 520 310 520 356 500 C 368 430 344 360 352 290 C 362 200 338 118 240 118 Z" fill="url(#hair)"/>`;
  if (p.hairStyle === "bob")
    return `<path d="M240 122 C 150 122 126 196 132 270 C 136 320 128 350 140 372 C 180 384 300 384 340 372 C 352 350 344 320 348 270 C 354 196 330 122 240 122 Z" fill="url(#hair)"/>`;
  if (p.hairStyle === "bun")
    return `<circle cx="240" cy="112" r="44" fill="url(#hair)"/><path d="M240 128 C 168 128 150 190 156 250 L 324 250 C 330 190 312 128 240 128 Z" fill="url(#hair)"/>`;
  return "";
}

function hairFront(p: Person) {
  if (p.hairStyle === "long")
    return `<path d="M156 262 C 150 176 200 132 252 134 C 312 136 338 190 326 270 C 316 214 292 186 250 178 C 232 208 196 222 168 226 C 162 236 158 248 156 262 Z" fill="url(#hair)"/>
      <path d="M250 178 C 226 212 190 226 168 228" stroke="${p.hairLight}" stroke-width="2.5" fill="none" opacity="0.4"/>`;
  if (p.hairStyle === "bob")
    return `<path d="M154 290 C 140 190 196 134 248 134 C 306 136 344 186 328 292 C 320 236 306 206 286 190 C 250 210 200 206 174 198 C 160 226 156 256 154 290 Z" fill="url(#hair)"/>`;
  if (p.hairStyle === "bun")
    return `<path d="M160 236 C 162 176 204 140 244 140 C 290 140 322 178 320 236 C 304 196 276 178 240 178 C 206 178 178 196 160 236 Z" fill="url(#hair)"/>`;
  return `<path d="M154 238 C 142 160 188 104 254 106 C 318 108 346 160 330 238 C 326 206 314 186 296 176 C 272 164 240 166 216 176 C 196 184 176 196 166 210 C 160 218 156 228 154 238 Z" fill="url(#hair)"/>
    <path d="M212 126 C 204 146 202 166 204 182" stroke="${p.hair}" stroke-width="3" fill="none" opacity="0.8"/>
    <path d="M214 134 C 250 122 296 132 318 170" stroke="${p.hairLight}" stroke-width="3" fill="none" opacity="0.4"/>
    <path d="M206 150 C 186 160 170 180 164 206" stroke="${p.hairLight}" stroke-width="2" fill="none" opacity="0.3"/>`;
}

function face(look: Look) {
  const p = look.person;
  const eye = (cx: number) => `
    <path d="M${cx - 17} 256 Q ${cx} 243 ${cx + 17} 256 Q ${cx} 265 ${cx - 17} 256 Z" fill="#f8f1ea"/>
    <circle cx="${cx + look.lightSide * 1.5}" cy="255" r="7.2" fill="${p.iris}"/>
    <circle cx="${cx + look.lightSide * 1.5}" cy="255" r="3.4" fill="#14100e"/>
    <circle cx="${cx + look.lightSide * 3.5}" cy="252.5" r="1.8" fill="#fff" opacity="0.9"/>
    <path d="M${cx - 18} 256 Q ${cx} 241 ${cx + 18} 255" stroke="#2a1a14" stroke-width="${p.masculine ? 2.2 : 3.2}" fill="none" stroke-linecap="round"/>
    ${p.masculine ? "" : `<path d="M${cx + (cx < 240 ? -18 : 18)} 255 l ${cx < 240 ? -5 : 5} -4" stroke="#2a1a14" stroke-width="2.4" stroke-linecap="round"/>`}
    <path d="M${cx - 14} 264 Q ${cx} 268 ${cx + 14} 263" stroke="${p.skinShade}" stroke-width="1.4" fill="none" opacity="0.5"/>`;
  return `
    <g>
      <path d="M162 252 C 150 246 146 270 156 286 C 162 294 168 290 168 284 Z" fill="url(#skin)"/>
      <path d="M318 252 C 330 246 334 270 324 286 C 318 294 312 290 312 284 Z" fill="url(#skin)"/>
      <path d="${head(look.person)}" fill="url(#skin)"/>
      <g clip-path="url(#headClip)">
        <ellipse cx="${240 - look.lightSide * 70}" cy="270" rx="60" ry="120" fill="${p.skinShade}" opacity="0.45" filter="url(#blur10)"/>
        <ellipse cx="240" cy="350" rx="90" ry="24" fill="${p.skinShade}" opacity="0.4" filter="url(#blur10)"/>
        ${p.masculine ? "" : `<ellipse cx="200" cy="290" rx="20" ry="12" fill="url(#blush)"/><ellipse cx="280" cy="290" rx="20" ry="12" fill="url(#blush)"/>`}
      </g>
      ${eye(206)}${eye(274)}
      <path d="M186 ${p.masculine ? 234 : 236} Q 204 ${p.masculine ? 228 : 225} 224 ${p.masculine ? 232 : 233}" stroke="${p.hair}" stroke-width="${p.masculine ? 7 : 4.5}" fill="none" stroke-linecap="round"/>
      <path d="M256 ${p.masculine ? 232 : 233} Q 276 ${p.masculine ? 228 : 225} 294 ${p.masculine ? 234 : 236}" stroke="${p.hair}" stroke-width="${p.masculine ? 7 : 4.5}" fill="none" stroke-linecap="round"/>
      <path d="M${240 + look.lightSide * 2} 262 C ${236 - look.lightSide * 4} 282 ${232 - look.lightSide * 4} 292 ${234 - look.lightSide * 2} 298" stroke="${p.skinShade}" stroke-width="3" fill="none" stroke-linecap="round" opacity="0.8"/>
      <path d="M230 300 Q 240 306 250 300" stroke="${p.skinShade}" stroke-width="2.5" fill="none" stroke-linecap="round"/>
      <path d="M219 318 Q 230 310 240 315 Q 250 310 261 318 Q 240 322 219 318 Z" fill="${p.lips}"/>
      <path d="M220 319 Q 240 336 260 319 Q 240 324 220 319 Z" fill="${p.lips}" opacity="0.85"/>
      <path d="M232 326 Q 240 329 248 326" stroke="#fff" stroke-width="1.6" opacity="0.35" fill="none" stroke-linecap="round"/>
      ${p.masculine ? `<path d="M170 300 C 180 336 208 350 240 352 C 272 350 300 336 310 300" stroke="${p.hair}" stroke-width="10" fill="none" opacity="0.12" filter="url(#blur4)"/>` : ""}
    </g>`;
}

function portrait(look: Look) {
  const side = look.lightSide;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 480 600">
    <defs>${defs(look)}</defs>
    ${look.backdrop}
    <ellipse cx="240" cy="560" rx="230" ry="80" fill="#000" opacity="0.35" filter="url(#blur24)"/>
    ${hairBack(look.person)}
    <path d="M206 320 L 274 320 L 278 420 L 202 420 Z" fill="url(#neck)"/>
    ${look.outfit}
    <path d="${head(look.person)}" fill="${look.rim}" opacity="0.8" filter="url(#blur4)" transform="translate(${side * 5} -2)"/>
    ${look.fill ? `<path d="${head(look.person)}" fill="${look.fill}" opacity="0.8" filter="url(#blur4)" transform="translate(${-side * 6} 0)"/>` : ""}
    ${face(look)}
    ${look.fill ? `<rect x="150" y="140" width="180" height="220" fill="url(#gel)" clip-path="url(#headClip)"/>` : ""}
    ${hairFront(look.person)}
    ${look.overlay}
    <rect width="480" height="600" fill="${look.grade}"/>
    <rect width="480" height="600" fill="url(#vignette)"/>
    <rect width="480" height="600" filter="url(#grain)" opacity="0.07"/>
  </svg>`;
}

const shoulders = "M14 600 L 26 520 C 38 468 92 446 150 434 C 180 428 198 418 206 400 L 274 400 C 282 418 300 428 330 434 C 388 446 442 468 454 520 L 466 600 Z";

const looks: Record<string, Look> = {
  // Glossy cover: a dark studio, a warm key light, gold accents, an off-shoulder black dress.
  pinglass: {
    person: { skin: "#f1c9ab", skinShade: "#b9846a", hair: "#2a1a14", hairLight: "#8a5a3c", lips: "#b8434f", iris: "#5a3b24", hairStyle: "long" },
    backdrop: `<radialGradient id="bg" cx="0.62" cy="0.3" r="0.9"><stop offset="0" stop-color="#5b4170"/><stop offset="0.45" stop-color="#241a33"/><stop offset="1" stop-color="#0b0810"/></radialGradient>
      <rect width="480" height="600" fill="url(#bg)"/>
      <circle cx="360" cy="150" r="150" fill="#f3cf8e" opacity="0.22" filter="url(#blur24)"/>`,
    outfit: `<path d="${shoulders}" fill="#f1c9ab"/>
      <path d="M40 600 C 50 520 110 500 180 492 C 220 500 260 500 300 492 C 370 500 430 520 440 600 Z" fill="#121016"/>
      <path d="M180 492 C 220 504 260 504 300 492" stroke="#3a3240" stroke-width="3" fill="none"/>
      <path d="M206 420 Q 240 470 274 420" stroke="#e9bb72" stroke-width="2.5" fill="none"/>
      <circle cx="240" cy="452" r="6" fill="#f6d9a6"/>`,
    lightSide: 1,
    rim: "#ffe2b0",
    overlay: `<g fill="#f6d9a6"><circle cx="70" cy="90" r="2.5" opacity="0.8"/><circle cx="410" cy="70" r="2" opacity="0.7"/><circle cx="430" cy="260" r="3" opacity="0.5"/><circle cx="50" cy="330" r="2" opacity="0.6"/></g>`,
    grade: "rgba(233,187,114,0.06)",
  },
  // Business: a bright office with a blurred window, an even daylight, a navy suit and a white shirt.
  professional: {
    person: { skin: "#e8bf9f", skinShade: "#b08266", hair: "#3b2c24", hairLight: "#7c6552", lips: "#b07a6e", iris: "#4a6a7c", hairStyle: "short", masculine: true },
    backdrop: `<linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#dfe7ee"/><stop offset="1" stop-color="#9fb0c0"/></linearGradient>
      <rect width="480" height="600" fill="url(#bg)"/>
      <g filter="url(#blur10)" opacity="0.75">
        <rect x="20" y="40" width="130" height="300" fill="#f6fbff"/><rect x="160" y="40" width="130" height="300" fill="#eef5fb"/><rect x="300" y="40" width="160" height="300" fill="#f6fbff"/>
        <rect x="0" y="340" width="480" height="14" fill="#8796a6"/><rect x="20" y="380" width="60" height="120" rx="12" fill="#6f8a6b"/>
      </g>`,
    outfit: `<path d="${shoulders}" fill="#1f2c44"/>
      <path d="M206 410 L 240 500 L 274 410 Z" fill="#f4f6f8"/>
      <path d="M230 430 L 250 430 L 246 520 L 240 536 L 234 520 Z" fill="#5a7fa6"/>
      <path d="M204 402 L 240 500 L 214 560 L 184 470 L 196 452 L 176 444 Z" fill="#2c3d5e"/>
      <path d="M276 402 L 240 500 L 266 560 L 296 470 L 284 452 L 304 444 Z" fill="#2c3d5e"/>
      <path d="M240 500 L 240 600" stroke="#141d30" stroke-width="2"/><circle cx="250" cy="560" r="4" fill="#141d30"/>
      <path d="M206 410 L 238 500" stroke="#111a2b" stroke-width="2" fill="none"/><path d="M274 410 L 242 500" stroke="#111a2b" stroke-width="2" fill="none"/>`,
    lightSide: -1,
    rim: "#ffffff",
    overlay: "",
    grade: "rgba(120,150,190,0.05)",
  },
  // Lifestyle: golden hour outdoors, bokeh, a cream knit sweater, warm light from behind.
  lifestyle: {
    person: { skin: "#f0c4a0", skinShade: "#c28a66", hair: "#8a5a32", hairLight: "#e2b27a", lips: "#c96f63", iris: "#6b4a2a", hairStyle: "bob" },
    backdrop: `<linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ffd89a"/><stop offset="0.5" stop-color="#f3a26b"/><stop offset="1" stop-color="#7c6a4a"/></linearGradient>
      <rect width="480" height="600" fill="url(#bg)"/>
      <g filter="url(#blur10)">
        <ellipse cx="240" cy="470" rx="300" ry="80" fill="#6f7b45" opacity="0.7"/>
        <circle cx="90" cy="380" r="70" fill="#8c9a54" opacity="0.6"/><circle cx="410" cy="400" r="80" fill="#7d8a4c" opacity="0.6"/>
      </g>
      <circle cx="380" cy="120" r="90" fill="#fff3d6" opacity="0.75" filter="url(#blur24)"/>`,
    outfit: `<path d="${shoulders}" fill="#efe2cc"/>
      <path d="M196 414 C 210 440 270 440 284 414" stroke="#d8c6a8" stroke-width="16" fill="none" stroke-linecap="round"/>
      <g stroke="#dccbae" stroke-width="3" fill="none" opacity="0.8">
        <path d="M110 520 Q 120 560 112 600"/><path d="M150 480 Q 162 540 152 600"/><path d="M330 480 Q 318 540 328 600"/><path d="M370 520 Q 360 560 368 600"/>
      </g>`,
    lightSide: 1,
    rim: "#fff0c8",
    overlay: `<g fill="#fff6e0" filter="url(#blur4)"><circle cx="60" cy="110" r="22" opacity="0.45"/><circle cx="130" cy="64" r="12" opacity="0.4"/><circle cx="54" cy="230" r="16" opacity="0.35"/><circle cx="430" cy="300" r="18" opacity="0.4"/><circle cx="400" cy="380" r="10" opacity="0.35"/></g>
      <rect width="480" height="600" fill="#ffb870" opacity="0.08"/>`,
    grade: "rgba(255,190,120,0.06)",
  },
  // Creative: magenta and cyan gels, a black turtleneck, a bold shape behind.
  creative: {
    person: { skin: "#d9a98a", skinShade: "#7a4a5e", hair: "#141018", hairLight: "#5b2b6a", lips: "#8e2f55", iris: "#3a2a22", hairStyle: "bun" },
    backdrop: `<linearGradient id="bg" x1="0" y1="0" x2="1" y2="0.4"><stop offset="0" stop-color="#ff2e88"/><stop offset="0.5" stop-color="#3a1a6e"/><stop offset="1" stop-color="#00b8d4"/></linearGradient>
      <rect width="480" height="600" fill="url(#bg)"/>
      <circle cx="240" cy="240" r="168" fill="none" stroke="#ffe14d" stroke-width="10" opacity="0.9"/>
      <rect x="-40" y="470" width="600" height="40" fill="#ff2e88" opacity="0.5" transform="rotate(-9 240 490)"/>`,
    outfit: `<path d="${shoulders}" fill="#121016"/>
      <path d="M206 392 C 206 430 274 430 274 392 L 276 430 C 260 446 220 446 204 430 Z" fill="#1c1822"/>
      <path d="M70 520 C 110 470 160 446 206 432" stroke="#ff5aa8" stroke-width="5" fill="none" opacity="0.6" filter="url(#blur4)"/>
      <path d="M410 520 C 370 470 320 446 274 432" stroke="#3fe6ff" stroke-width="5" fill="none" opacity="0.6" filter="url(#blur4)"/>`,
    lightSide: -1,
    rim: "#ff7ab8",
    fill: "#3fe6ff",
    overlay: `<rect width="480" height="600" fill="#ff2e88" opacity="0.06"/>`,
    grade: "rgba(80,0,120,0.06)",
  },
};

for (const [id, look] of Object.entries(looks)) {
  await sharp(Buffer.from(portrait(look))).webp({ quality: 80, effort: 6, smartSubsample: true }).toFile(join(outDir, `${id}.webp`));
}
console.log(`style previews written to ${outDir}`);
