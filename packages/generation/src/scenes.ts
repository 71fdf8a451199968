/**
 * The 23 scenes every style is made of, in the order a photoset takes them. `setting` is the
 * scene as a prompt describes it; `look` is how the offline renderer draws it (framing, light,
 * backdrop, grade), so each scene is visibly different even without a remote model.
 */
export type Motif = "peaks" | "sea" | "awning" | "skyline" | "trees" | "shelves" | "stripes" | "bokeh" | "rain" | "arches" | "horizon" | "panes";

export interface SceneLook {
  /** close: face fills the frame; medium: head and shoulders on the backdrop; wide: smaller figure. */
  framing: "close" | "medium" | "wide";
  /** Where the subject sits, 0..1 of the frame width. */
  subjectX: number;
  /** Backdrop gradient, top to bottom. */
  sky: [string, string];
  motif: Motif;
  motifColour: string;
  /** The key light: its position (0..1) and colour. */
  light: { x: number; y: number; colour: string };
  grade: { brightness: number; saturation: number; hue: number; tint?: [number, number, number]; mono?: boolean };
  grain: number;
  vignette: number;
}

export interface Scene {
  id: string;
  name: { ru: string; en: string };
  setting: string;
  look: SceneLook;
}

const scene = (id: string, en: string, ru: string, setting: string, look: SceneLook): Scene => ({ id, name: { en, ru }, setting, look });

export const scenes: readonly Scene[] = [
  scene("alpine-adventure", "Alpine adventure", "Альпийское приключение", "on an alpine trail with snowy peaks behind, crisp mountain air", {
    framing: "medium", subjectX: 0.5, sky: ["#9cc4ef", "#eef5fb"], motif: "peaks", motifColour: "#f7fbff",
    light: { x: 0.8, y: 0.1, colour: "#fff6e0" }, grade: { brightness: 1.06, saturation: 1.05, hue: -6 }, grain: 0.05, vignette: 0.2,
  }),
  scene("yacht-coastal-luxury", "Coastal luxury on a yacht", "Роскошь на яхте у побережья", "on the deck of a white yacht off a sunny coast, turquoise water", {
    framing: "wide", subjectX: 0.38, sky: ["#58b9e8", "#d8f1fb"], motif: "sea", motifColour: "#1d8fc0",
    light: { x: 0.15, y: 0.05, colour: "#fff3cf" }, grade: { brightness: 1.08, saturation: 1.15, hue: 0 }, grain: 0.03, vignette: 0.15,
  }),
  scene("paris-cafe", "Parisian café terrace", "Терраса парижского кафе", "at a Parisian café terrace with a striped awning and a small round table", {
    framing: "medium", subjectX: 0.58, sky: ["#d9b48f", "#f4e6d2"], motif: "awning", motifColour: "#8e2b2b",
    light: { x: 0.2, y: 0.3, colour: "#ffd9a0" }, grade: { brightness: 1.02, saturation: 0.95, hue: 8, tint: [255, 238, 214] }, grain: 0.08, vignette: 0.3,
  }),
  scene("urban-power-street", "Urban power street", "Городская улица, деловой образ", "striding down a modern city street between glass towers", {
    framing: "wide", subjectX: 0.5, sky: ["#7e8fa3", "#c9d2dc"], motif: "skyline", motifColour: "#39475a",
    light: { x: 0.5, y: 0.0, colour: "#e8f0ff" }, grade: { brightness: 1.0, saturation: 0.85, hue: -10 }, grain: 0.06, vignette: 0.35,
  }),
  scene("golden-hour-park", "Golden-hour park bench", "Скамейка в парке в золотой час", "on a park bench in golden-hour sunlight, soft backlight through leaves", {
    framing: "medium", subjectX: 0.42, sky: ["#f3b562", "#fbe3b5"], motif: "bokeh", motifColour: "#ffe6a8",
    light: { x: 0.9, y: 0.25, colour: "#ffc470" }, grade: { brightness: 1.05, saturation: 1.1, hue: 10, tint: [255, 226, 190] }, grain: 0.05, vignette: 0.25,
  }),
  scene("dawn-beach", "Dawn beach", "Пляж на рассвете", "on a quiet beach at dawn, pastel sky and calm sea", {
    framing: "wide", subjectX: 0.62, sky: ["#f7b6c2", "#fde3cf"], motif: "horizon", motifColour: "#8fb4cf",
    light: { x: 0.3, y: 0.45, colour: "#ffd1c2" }, grade: { brightness: 1.07, saturation: 0.95, hue: 12 }, grain: 0.04, vignette: 0.18,
  }),
  scene("library-bookstore", "Library or bookstore", "Библиотека или книжный магазин", "between tall wooden bookshelves in a warm old library", {
    framing: "medium", subjectX: 0.5, sky: ["#5a3d2b", "#a5774f"], motif: "shelves", motifColour: "#3a2619",
    light: { x: 0.15, y: 0.2, colour: "#ffcf8a" }, grade: { brightness: 0.98, saturation: 0.9, hue: 6, tint: [255, 230, 200] }, grain: 0.09, vignette: 0.45,
  }),
  scene("rooftop-blue-hour", "Rooftop at blue hour", "Крыша в синий час", "on a rooftop at blue hour with city lights coming on", {
    framing: "medium", subjectX: 0.45, sky: ["#1f3b73", "#6b86c2"], motif: "skyline", motifColour: "#0f1b36",
    light: { x: 0.85, y: 0.4, colour: "#ffb36b" }, grade: { brightness: 0.96, saturation: 1.0, hue: -14, tint: [210, 225, 255] }, grain: 0.07, vignette: 0.4,
  }),
  scene("vintage-car-americana", "Vintage car, retro Americana", "Винтажный автомобиль, ретро-Америка", "leaning on a vintage convertible at a roadside diner, retro Americana", {
    framing: "wide", subjectX: 0.4, sky: ["#f0a868", "#f6d7a7"], motif: "stripes", motifColour: "#c8423a",
    light: { x: 0.7, y: 0.1, colour: "#ffe2a8" }, grade: { brightness: 1.03, saturation: 1.2, hue: 14, tint: [255, 232, 200] }, grain: 0.12, vignette: 0.3,
  }),
  scene("artist-studio", "Artist's studio", "Мастерская художника", "in a sunlit artist's studio with canvases and paint", {
    framing: "medium", subjectX: 0.55, sky: ["#e9e2d5", "#c9bba5"], motif: "panes", motifColour: "#ffffff",
    light: { x: 0.05, y: 0.15, colour: "#fffaf0" }, grade: { brightness: 1.05, saturation: 0.92, hue: 0 }, grain: 0.06, vignette: 0.2,
  }),
  scene("autumn-forest", "Autumn forest", "Осенний лес", "on a forest path among orange and red autumn trees", {
    framing: "wide", subjectX: 0.5, sky: ["#c8642b", "#e9b061"], motif: "trees", motifColour: "#6b2f12",
    light: { x: 0.6, y: 0.0, colour: "#ffc980" }, grade: { brightness: 1.0, saturation: 1.15, hue: 16, tint: [255, 224, 190] }, grain: 0.07, vignette: 0.35,
  }),
  scene("executive-office", "Executive corner office", "Угловой кабинет руководителя", "in a corner office with floor-to-ceiling windows over the city", {
    framing: "close", subjectX: 0.5, sky: ["#a9b8c8", "#e1e7ee"], motif: "panes", motifColour: "#dfe8f2",
    light: { x: 0.1, y: 0.3, colour: "#f3f7ff" }, grade: { brightness: 1.02, saturation: 0.85, hue: -4 }, grain: 0.03, vignette: 0.2,
  }),
  scene("farmers-market", "Farmers market", "Фермерский рынок", "at a colourful farmers market with fresh produce stalls", {
    framing: "medium", subjectX: 0.4, sky: ["#8cc084", "#f2e7b8"], motif: "awning", motifColour: "#2e7d32",
    light: { x: 0.5, y: 0.0, colour: "#fff4d6" }, grade: { brightness: 1.06, saturation: 1.2, hue: 4 }, grain: 0.05, vignette: 0.2,
  }),
  scene("foggy-bridge", "Foggy bridge, cinematic", "Мост в тумане, кинематографично", "on an old bridge in thick fog, cinematic and moody", {
    framing: "wide", subjectX: 0.5, sky: ["#9aa4a8", "#d5d9da"], motif: "arches", motifColour: "#5f686c",
    light: { x: 0.5, y: 0.2, colour: "#e6eef0" }, grade: { brightness: 1.0, saturation: 0.55, hue: -8, tint: [220, 232, 236] }, grain: 0.1, vignette: 0.5,
  }),
  scene("athletic-track", "Athletic track", "Беговая дорожка стадиона", "on a red running track of a stadium, athletic and energetic", {
    framing: "medium", subjectX: 0.5, sky: ["#4aa3df", "#bfe3f7"], motif: "stripes", motifColour: "#c1442e",
    light: { x: 0.9, y: 0.05, colour: "#ffffff" }, grade: { brightness: 1.05, saturation: 1.2, hue: -2 }, grain: 0.04, vignette: 0.2,
  }),
  scene("cosy-kitchen", "Cosy kitchen", "Уютная кухня", "in a cosy kitchen with morning light and a cup of coffee", {
    framing: "close", subjectX: 0.45, sky: ["#f1d9b5", "#d8b48a"], motif: "panes", motifColour: "#fff3de",
    light: { x: 0.1, y: 0.1, colour: "#ffe7b8" }, grade: { brightness: 1.06, saturation: 1.0, hue: 8, tint: [255, 236, 210] }, grain: 0.05, vignette: 0.25,
  }),
  scene("music-studio", "Music studio", "Музыкальная студия", "in a music studio with acoustic panels and coloured stage lights", {
    framing: "medium", subjectX: 0.5, sky: ["#2b1a4a", "#6a2c70"], motif: "bokeh", motifColour: "#ff5fa2",
    light: { x: 0.9, y: 0.4, colour: "#b46bff" }, grade: { brightness: 0.95, saturation: 1.25, hue: -20, tint: [236, 214, 255] }, grain: 0.08, vignette: 0.5,
  }),
  scene("japanese-garden", "Japanese garden", "Японский сад", "in a Japanese garden with maple trees, stone lanterns and a koi pond", {
    framing: "wide", subjectX: 0.58, sky: ["#a8c98a", "#e8efd8"], motif: "trees", motifColour: "#b3412e",
    light: { x: 0.25, y: 0.1, colour: "#fff8e6" }, grade: { brightness: 1.04, saturation: 1.05, hue: -4 }, grain: 0.04, vignette: 0.22,
  }),
  scene("fine-dining", "Fine dining", "Ужин в ресторане", "at a candle-lit fine dining table, elegant and intimate", {
    framing: "close", subjectX: 0.55, sky: ["#2a1a12", "#5e3a22"], motif: "bokeh", motifColour: "#ffcf7a",
    light: { x: 0.3, y: 0.7, colour: "#ffb457" }, grade: { brightness: 0.96, saturation: 1.05, hue: 10, tint: [255, 220, 180] }, grain: 0.07, vignette: 0.55,
  }),
  scene("mountain-summit", "Mountain summit", "Вершина горы", "on a mountain summit above the clouds, triumphant", {
    framing: "wide", subjectX: 0.45, sky: ["#3f7cc4", "#d0e6f7"], motif: "peaks", motifColour: "#e9eef5",
    light: { x: 0.9, y: 0.0, colour: "#fff4d8" }, grade: { brightness: 1.08, saturation: 1.1, hue: -8 }, grain: 0.03, vignette: 0.15,
  }),
  scene("rainy-city-noir", "Rainy city noir", "Дождливый город, нуар", "on a rainy city street at night, film noir with neon reflections", {
    framing: "medium", subjectX: 0.45, sky: ["#101418", "#3a444c"], motif: "rain", motifColour: "#c8d2da",
    light: { x: 0.8, y: 0.2, colour: "#e8f0ff" }, grade: { brightness: 0.95, saturation: 0, hue: 0, mono: true }, grain: 0.14, vignette: 0.6,
  }),
  scene("wine-cellar", "Wine cellar", "Винный погреб", "in a vaulted stone wine cellar with oak barrels", {
    framing: "medium", subjectX: 0.55, sky: ["#3b2418", "#7a4d2e"], motif: "arches", motifColour: "#24150d",
    light: { x: 0.2, y: 0.3, colour: "#ff9f4a" }, grade: { brightness: 0.95, saturation: 1.0, hue: 12, tint: [255, 214, 170] }, grain: 0.09, vignette: 0.6,
  }),
  scene("yacht-club", "Yacht club", "Яхт-клуб", "at a yacht club marina with masts and navy blazers", {
    framing: "close", subjectX: 0.48, sky: ["#2f5f8f", "#a9c8e4"], motif: "stripes", motifColour: "#ffffff",
    light: { x: 0.75, y: 0.1, colour: "#fff6e0" }, grade: { brightness: 1.04, saturation: 1.05, hue: -6 }, grain: 0.04, vignette: 0.25,
  }),
];

export const sceneById = new Map(scenes.map((s) => [s.id, s]));
