import { DomainError } from "@pinglass/core";
import { type Scene, scenesOf } from "./scenes.ts";

/** How a style shifts the offline renderer's picture on top of the scene's own grade. */
export interface StyleGrade {
  contrast: number;
  saturation: number;
  warmth: number;
}

export interface Style {
  id: StyleId;
  name: { ru: string; en: string };
  description: { ru: string; en: string };
  /** A small WebP served by the web app (apps/web/public/styles). */
  previewUrl: string;
  /** The feeling of every photo in the style; wardrobe, set, light and lens come from each scene. */
  mood: string;
  grade: StyleGrade;
}

export const styleIds = ["pinglass", "professional", "lifestyle", "creative"] as const;
export type StyleId = (typeof styleIds)[number];

export const styles: readonly Style[] = [
  {
    id: "pinglass",
    name: { ru: "PinGlass Premium", en: "PinGlass Premium" },
    description: {
      ru: "Глянцевые портреты как с обложки: дорогой свет, безупречные детали.",
      en: "Glossy cover-style portraits: rich light and flawless detail.",
    },
    previewUrl: "/styles/pinglass.webp",
    mood: "confident, luxurious, magazine-cover quality",
    grade: { contrast: 1.12, saturation: 1.05, warmth: 0.02 },
  },
  {
    id: "professional",
    name: { ru: "Деловой", en: "Professional" },
    description: {
      ru: "Деловые портреты для резюме, LinkedIn и сайта компании.",
      en: "Business portraits for a CV, LinkedIn or a company website.",
    },
    previewUrl: "/styles/professional.webp",
    mood: "trustworthy, calm and competent",
    grade: { contrast: 1.04, saturation: 0.88, warmth: -0.02 },
  },
  {
    id: "lifestyle",
    name: { ru: "Лайфстайл", en: "Lifestyle" },
    description: {
      ru: "Живые кадры из жизни: естественный свет, тепло и лёгкость.",
      en: "Candid everyday moments: natural light, warmth and ease.",
    },
    previewUrl: "/styles/lifestyle.webp",
    mood: "friendly, relaxed and authentic",
    grade: { contrast: 0.98, saturation: 1.02, warmth: 0.06 },
  },
  {
    id: "creative",
    name: { ru: "Креатив", en: "Creative" },
    description: {
      ru: "Смелые цвета и необычный свет для тех, кто хочет выделиться.",
      en: "Bold colour and unusual light for standing out.",
    },
    previewUrl: "/styles/creative.webp",
    mood: "bold, artistic and surprising",
    grade: { contrast: 1.15, saturation: 1.3, warmth: -0.04 },
  },
];

const styleById = new Map<string, Style>(styles.map((s) => [s.id, s]));

export function requireStyle(styleId: string): Style {
  const style = styleById.get(styleId);
  if (!style) throw new DomainError("BAD_REQUEST", "errors.generation.unknownStyle");
  return style;
}

/** The prompt of one scene in one style; the last line keeps the person the same person. */
export function promptFor(style: Style, scene: Scene): string {
  return [
    scene.prompt,
    `Mood: ${style.mood}. A real 4:5 photograph with natural skin texture, not an illustration.`,
    "Keep the person's face, facial features, skin tone, hair and identity exactly as in the reference photos; do not change who they are.",
  ].join("\n");
}

/** What the app shows of the catalogue: names in both languages, so it can switch without a refetch. */
export function listStyles() {
  return styles.map((s) => ({ id: s.id, name: s.name, description: s.description, previewUrl: s.previewUrl, sceneCount: scenesOf(s.id).length }));
}
