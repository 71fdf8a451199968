import type { StyleId } from "./styles.ts";

/**
 * Every style's own 23 scenes, in the order a photoset takes them (so the first 7 are the
 * style's strongest, most varied set). A scene keeps its style's promise: "professional" is for a
 * CV or LinkedIn, so no leisure sets there. `prompt` is what the image model reads; `look` is how
 * the offline renderer draws the scene (framing, light, backdrop, grade), so each scene is visibly
 * different even without a remote model.
 *
 * Scene titles are user-facing text, kept here beside their scene in ru and en rather than in
 * core's messages.ts: they are catalogue data (like the style names), sent to the app in both
 * languages, and a scene is easier to review with its title, prompt and look in one place.
 * Ids are stored on slots and photos: never rename one (a "more photos" set avoids the ids made).
 */
/** "plain" draws nothing over the backdrop gradient: a seamless studio paper. */
export type Motif = "peaks" | "sea" | "awning" | "skyline" | "trees" | "shelves" | "stripes" | "bokeh" | "rain" | "arches" | "horizon" | "panes" | "plain";

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
  /** Unique across all styles, at most 50 characters (slots.scene_id). */
  id: string;
  name: { ru: string; en: string };
  /** The scene for an image model: the person, wardrobe, setting, light, lens and composition. */
  prompt: string;
  look: SceneLook;
}

interface SceneParts {
  wardrobe: string;
  setting: string;
  light: string;
  camera: string;
}

const scene = (id: string, name: { en: string; ru: string }, parts: SceneParts, look: SceneLook): Scene => ({
  id,
  name,
  prompt: `Photorealistic portrait of the person from the reference photos, wearing ${parts.wardrobe}, ${parts.setting}. Light: ${parts.light}. Lens and composition: ${parts.camera}.`,
  look,
});

const pinglass: readonly Scene[] = [
  scene("pinglass-yacht-deck", { en: "On a yacht deck", ru: "На палубе яхты" }, {
    wardrobe: "a white linen shirt and tailored cream trousers, gold watch",
    setting: "on the teak deck of a white motor yacht off the Amalfi coast, turquoise water and cliffs behind",
    light: "late-afternoon sun with a warm rim light on the hair and a soft bounce from the deck",
    camera: "50 mm at f/2.8, three-quarter length, slightly low angle, the coastline softly out of focus",
  }, {
    framing: "wide", subjectX: 0.38, sky: ["#58b9e8", "#d8f1fb"], motif: "sea", motifColour: "#1d8fc0",
    light: { x: 0.15, y: 0.05, colour: "#fff3cf" }, grade: { brightness: 1.08, saturation: 1.15, hue: 0 }, grain: 0.03, vignette: 0.15,
  }),
  scene("pinglass-cover-studio", { en: "Magazine cover", ru: "Обложка журнала" }, {
    wardrobe: "sculpted black tailoring with a fine silk lapel",
    setting: "in front of a seamless warm-grey backdrop in a fashion studio",
    light: "a beauty dish as the key light, a subtle rim light from behind, deep but clean shadows",
    camera: "105 mm at f/5.6, head and shoulders, centred, space above the head as on a magazine cover",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#6e6560", "#a39a92"], motif: "plain", motifColour: "#8c847c",
    light: { x: 0.35, y: 0.15, colour: "#fff1e0" }, grade: { brightness: 1.02, saturation: 0.95, hue: 4 }, grain: 0.03, vignette: 0.35,
  }),
  scene("pinglass-golden-hour-beach", { en: "Beach at golden hour", ru: "Пляж в золотой час" }, {
    wardrobe: "flowing ivory linen",
    setting: "on a wide, empty sandy beach with gentle waves, the sun low over the sea",
    light: "golden-hour backlight glowing through the hair, warm reflector fill on the face",
    camera: "85 mm at f/1.8, waist up, the sea a soft blur of light behind",
  }, {
    framing: "medium", subjectX: 0.6, sky: ["#f6b46a", "#fde6c0"], motif: "horizon", motifColour: "#c98b58",
    light: { x: 0.3, y: 0.5, colour: "#ffc878" }, grade: { brightness: 1.06, saturation: 1.1, hue: 10, tint: [255, 230, 196] }, grain: 0.04, vignette: 0.2,
  }),
  scene("pinglass-black-tie-gala", { en: "Black-tie gala", ru: "Гала-вечер" }, {
    wardrobe: "impeccable black-tie evening wear",
    setting: "in a marble ballroom under crystal chandeliers at a black-tie gala",
    light: "warm chandelier glow with a soft key light from the front, golden bokeh behind",
    camera: "85 mm at f/1.4, waist up, eye level, the ballroom melting into bokeh",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#2a1c10", "#6b4a24"], motif: "bokeh", motifColour: "#ffd27a",
    light: { x: 0.5, y: 0.2, colour: "#ffd9a0" }, grade: { brightness: 0.98, saturation: 1.05, hue: 8, tint: [255, 226, 186] }, grain: 0.05, vignette: 0.5,
  }),
  scene("pinglass-riviera-terrace", { en: "Riviera hotel terrace", ru: "Терраса отеля на Ривьере" }, {
    wardrobe: "a cream tailored blazer over a silk top, sunglasses in hand",
    setting: "on the stone balustrade terrace of a grand hotel above the Mediterranean, cypress trees and sea below",
    light: "soft afternoon sun from the side, gentle warm fill",
    camera: "85 mm at f/2, waist up, three-quarter turn towards the camera",
  }, {
    framing: "medium", subjectX: 0.42, sky: ["#7fc1e6", "#f3ead9"], motif: "arches", motifColour: "#efe3cf",
    light: { x: 0.8, y: 0.2, colour: "#fff0d0" }, grade: { brightness: 1.05, saturation: 1.05, hue: 4 }, grain: 0.03, vignette: 0.2,
  }),
  scene("pinglass-penthouse-night", { en: "Penthouse at night", ru: "Пентхаус ночью" }, {
    wardrobe: "a midnight-blue velvet jacket over a black shirt",
    setting: "in a penthouse lounge with panoramic windows over a glittering night city",
    light: "warm table lamps as the key, cool city glow as a rim from the windows",
    camera: "35 mm at f/2, waist up, the skyline across the frame behind",
  }, {
    framing: "medium", subjectX: 0.45, sky: ["#0c1430", "#2b3a6a"], motif: "skyline", motifColour: "#070b1c",
    light: { x: 0.2, y: 0.5, colour: "#ffbf78" }, grade: { brightness: 0.95, saturation: 1.05, hue: -8, tint: [220, 226, 255] }, grain: 0.06, vignette: 0.5,
  }),
  scene("pinglass-vineyard-sunset", { en: "Vineyard at sunset", ru: "Виноградник на закате" }, {
    wardrobe: "a soft cashmere knit and tailored trousers",
    setting: "between the vine rows of a Tuscan estate at sunset, rolling hills and a stone villa behind",
    light: "low warm sun from behind, glowing edges, a gentle fill on the face",
    camera: "85 mm at f/2, three-quarter length, the vine rows leading to the subject",
  }, {
    framing: "wide", subjectX: 0.55, sky: ["#e98f4f", "#f8d49a"], motif: "trees", motifColour: "#5b6b2a",
    light: { x: 0.85, y: 0.35, colour: "#ffb866" }, grade: { brightness: 1.04, saturation: 1.1, hue: 12, tint: [255, 224, 186] }, grain: 0.05, vignette: 0.3,
  }),
  scene("pinglass-candlelit-dinner", { en: "Candle-lit dinner", ru: "Ужин при свечах" }, {
    wardrobe: "a silk shirt and fine jewellery",
    setting: "at a candle-lit table in an elegant fine-dining restaurant, crystal glasses and white linen",
    light: "warm candlelight from below and the side, the room falling into soft darkness",
    camera: "50 mm at f/1.4, chest up, intimate close framing, candle flames as bokeh",
  }, {
    framing: "close", subjectX: 0.55, sky: ["#2a1a12", "#5e3a22"], motif: "bokeh", motifColour: "#ffcf7a",
    light: { x: 0.3, y: 0.7, colour: "#ffb457" }, grade: { brightness: 0.96, saturation: 1.05, hue: 10, tint: [255, 220, 180] }, grain: 0.07, vignette: 0.55,
  }),
  scene("pinglass-infinity-pool", { en: "Infinity pool at sunset", ru: "Бассейн с видом на океан" }, {
    wardrobe: "elegant white resort wear",
    setting: "at the edge of an infinity pool that merges with the ocean at sunset, a luxury villa around",
    light: "the setting sun as a warm backlight, soft reflected light from the water",
    camera: "50 mm at f/2.8, waist up, the horizon line low in the frame",
  }, {
    framing: "medium", subjectX: 0.4, sky: ["#f08a6a", "#ffd3a8"], motif: "horizon", motifColour: "#3f8fb0",
    light: { x: 0.7, y: 0.45, colour: "#ffb98a" }, grade: { brightness: 1.05, saturation: 1.12, hue: 8 }, grain: 0.03, vignette: 0.25,
  }),
  scene("pinglass-grand-staircase", { en: "Grand staircase", ru: "Парадная лестница" }, {
    wardrobe: "a long tailored coat over elegant evening wear",
    setting: "on the sweeping marble staircase of a palace hotel, gilded railings and tall arched windows",
    light: "soft daylight from the tall windows with a warm fill",
    camera: "35 mm at f/4, full length from a few steps below, symmetrical composition",
  }, {
    framing: "wide", subjectX: 0.5, sky: ["#d9cbb4", "#f4ede1"], motif: "arches", motifColour: "#b99a62",
    light: { x: 0.5, y: 0.05, colour: "#fff6e6" }, grade: { brightness: 1.04, saturation: 0.95, hue: 6 }, grain: 0.03, vignette: 0.3,
  }),
  scene("pinglass-marina-evening", { en: "Marina in the evening", ru: "Вечерняя марина" }, {
    wardrobe: "a navy double-breasted blazer with gold buttons over a white shirt",
    setting: "on a marina pier among luxury yachts and tall masts at dusk",
    light: "the last warm sunlight on the face, blue evening sky and dock lights behind",
    camera: "50 mm at f/2, waist up, masts as soft vertical lines behind",
  }, {
    framing: "medium", subjectX: 0.48, sky: ["#2f5f8f", "#e7b98a"], motif: "stripes", motifColour: "#ffffff",
    light: { x: 0.75, y: 0.3, colour: "#ffd6a0" }, grade: { brightness: 1.02, saturation: 1.05, hue: -4 }, grain: 0.04, vignette: 0.3,
  }),
  scene("pinglass-alpine-chalet", { en: "Alpine chalet", ru: "Шале в Альпах" }, {
    wardrobe: "a chunky cream cashmere roll-neck and a camel coat",
    setting: "on the terrace of a luxury alpine chalet, snow-covered peaks in the distance",
    light: "crisp bright winter sun, snow bouncing clean light onto the face",
    camera: "85 mm at f/2.8, waist up, the peaks softly out of focus behind",
  }, {
    framing: "medium", subjectX: 0.45, sky: ["#3f7cc4", "#d0e6f7"], motif: "peaks", motifColour: "#e9eef5",
    light: { x: 0.9, y: 0.1, colour: "#fff4d8" }, grade: { brightness: 1.08, saturation: 1.05, hue: -8 }, grain: 0.03, vignette: 0.15,
  }),
  scene("pinglass-paris-balcony", { en: "Paris balcony", ru: "Балкон в Париже" }, {
    wardrobe: "a classic beige trench coat over a black roll-neck",
    setting: "on the wrought-iron balcony of a Haussmann apartment over the Paris rooftops, the Eiffel Tower in the distance",
    light: "warm golden-hour side light, soft shadows",
    camera: "50 mm at f/2, waist up, the city rooftops falling away behind",
  }, {
    framing: "medium", subjectX: 0.58, sky: ["#d9a47a", "#f3dcc0"], motif: "skyline", motifColour: "#8a6a58",
    light: { x: 0.15, y: 0.3, colour: "#ffd39a" }, grade: { brightness: 1.03, saturation: 0.98, hue: 10, tint: [255, 236, 214] }, grain: 0.06, vignette: 0.3,
  }),
  scene("pinglass-opera-box", { en: "A box at the opera", ru: "Ложа в опере" }, {
    wardrobe: "elegant evening wear in deep burgundy",
    setting: "in a red velvet box of a historic opera house, gilded tiers and balconies behind",
    light: "warm stage light spilling in from the side, the hall glowing softly",
    camera: "85 mm at f/1.8, chest up, leaning lightly on the velvet rail",
  }, {
    framing: "close", subjectX: 0.45, sky: ["#4a0f14", "#8c2a22"], motif: "arches", motifColour: "#d4a24a",
    light: { x: 0.85, y: 0.35, colour: "#ffc27a" }, grade: { brightness: 0.97, saturation: 1.1, hue: 6, tint: [255, 220, 200] }, grain: 0.06, vignette: 0.5,
  }),
  scene("pinglass-classic-convertible", { en: "Classic convertible", ru: "Классический кабриолет" }, {
    wardrobe: "a light summer suit, a silk scarf and sunglasses",
    setting: "behind the wheel of a vintage convertible on a cliffside coastal road",
    light: "golden-hour sun from the side, sea glitter behind",
    camera: "50 mm at f/2.8, from the passenger side, chest up, the coast curving away",
  }, {
    framing: "medium", subjectX: 0.4, sky: ["#4da6d6", "#f4d9a8"], motif: "sea", motifColour: "#2a7fa8",
    light: { x: 0.8, y: 0.25, colour: "#ffd49a" }, grade: { brightness: 1.05, saturation: 1.15, hue: 8, tint: [255, 236, 208] }, grain: 0.07, vignette: 0.3,
  }),
  scene("pinglass-private-jet", { en: "Private jet", ru: "Частный самолёт" }, {
    wardrobe: "a camel cashmere coat over a fine knit, leather weekender bag",
    setting: "on the steps of a private jet on a sunny airfield",
    light: "crisp morning sun, clean reflections from the white fuselage",
    camera: "35 mm at f/4, full length from a low angle, the jet filling the background",
  }, {
    framing: "wide", subjectX: 0.55, sky: ["#86b8e0", "#eef4f8"], motif: "stripes", motifColour: "#dfe5ea",
    light: { x: 0.2, y: 0.1, colour: "#fff8e8" }, grade: { brightness: 1.07, saturation: 0.95, hue: -4 }, grain: 0.03, vignette: 0.15,
  }),
  scene("pinglass-desert-dunes", { en: "Desert dunes at sunset", ru: "Дюны на закате" }, {
    wardrobe: "flowing sand-toned linen with gold accessories",
    setting: "on the crest of golden desert dunes at sunset",
    light: "low sun raking across the sand, warm rim light on the silhouette",
    camera: "85 mm at f/2.8, three-quarter length, wide sky above",
  }, {
    framing: "wide", subjectX: 0.62, sky: ["#e07a3c", "#f6c77c"], motif: "peaks", motifColour: "#d49a5a",
    light: { x: 0.85, y: 0.45, colour: "#ffae5c" }, grade: { brightness: 1.04, saturation: 1.15, hue: 14, tint: [255, 222, 180] }, grain: 0.05, vignette: 0.35,
  }),
  scene("pinglass-orangery", { en: "Glass orangery", ru: "Оранжерея" }, {
    wardrobe: "an ivory suit with a soft silk blouse or shirt",
    setting: "in a Victorian glass orangery with tall palms and white iron frames",
    light: "soft diffused daylight through the glass roof, green reflections",
    camera: "85 mm at f/2, waist up, palm leaves framing the edges",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#cfe3d2", "#f4f7ee"], motif: "panes", motifColour: "#ffffff",
    light: { x: 0.5, y: 0.0, colour: "#f6fff0" }, grade: { brightness: 1.06, saturation: 1.0, hue: -6 }, grain: 0.03, vignette: 0.2,
  }),
  scene("pinglass-members-club", { en: "Private members' club", ru: "Закрытый клуб" }, {
    wardrobe: "a deep green velvet jacket over a black shirt",
    setting: "in a leather armchair in a private members' club, dark wood panelling and a fireplace",
    light: "warm firelight from one side and a brass reading lamp, rich shadows",
    camera: "50 mm at f/1.8, seated, waist up, relaxed and assured",
  }, {
    framing: "medium", subjectX: 0.52, sky: ["#2b1a10", "#5a3a22"], motif: "shelves", motifColour: "#1e120a",
    light: { x: 0.15, y: 0.45, colour: "#ff9f4a" }, grade: { brightness: 0.95, saturation: 1.0, hue: 12, tint: [255, 214, 170] }, grain: 0.08, vignette: 0.6,
  }),
  scene("pinglass-wine-cellar", { en: "Private wine cellar", ru: "Частный винный погреб" }, {
    wardrobe: "a dark tailored jacket, a glass of red wine in hand",
    setting: "in a vaulted stone wine cellar lined with oak barrels and old bottles",
    light: "warm tungsten sconces, pools of light on the stone arches",
    camera: "50 mm at f/2, waist up, the arches receding behind",
  }, {
    framing: "medium", subjectX: 0.55, sky: ["#3b2418", "#7a4d2e"], motif: "arches", motifColour: "#24150d",
    light: { x: 0.2, y: 0.3, colour: "#ff9f4a" }, grade: { brightness: 0.95, saturation: 1.0, hue: 12, tint: [255, 214, 170] }, grain: 0.09, vignette: 0.6,
  }),
  scene("pinglass-venice-canal", { en: "Venice at golden hour", ru: "Венеция в золотой час" }, {
    wardrobe: "a linen suit in soft sand tones",
    setting: "on a wooden water taxi gliding along the Grand Canal in Venice, palazzi behind",
    light: "golden-hour light reflecting off the water onto the face",
    camera: "50 mm at f/2.8, waist up, the canal and palazzi softly blurred",
  }, {
    framing: "medium", subjectX: 0.45, sky: ["#e9a86a", "#f6dcb8"], motif: "arches", motifColour: "#c77b52",
    light: { x: 0.25, y: 0.6, colour: "#ffd08c" }, grade: { brightness: 1.04, saturation: 1.08, hue: 10 }, grain: 0.05, vignette: 0.3,
  }),
  scene("pinglass-rooftop-bar", { en: "Rooftop bar at sunset", ru: "Бар на крыше на закате" }, {
    wardrobe: "elegant cocktail attire",
    setting: "at a rooftop bar high above the city at sunset, glass balustrade and skyline",
    light: "warm sunset glow from behind, soft fill from the front",
    camera: "85 mm at f/1.8, chest up, the city lights beginning to sparkle",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#c45a6a", "#f6b67a"], motif: "skyline", motifColour: "#3a2038",
    light: { x: 0.8, y: 0.4, colour: "#ffb36b" }, grade: { brightness: 1.0, saturation: 1.1, hue: 6, tint: [255, 226, 214] }, grain: 0.05, vignette: 0.35,
  }),
  scene("pinglass-hollywood-glamour", { en: "Old Hollywood glamour", ru: "Голливудский гламур" }, {
    wardrobe: "classic 1940s evening glamour, satin and sharp tailoring",
    setting: "in front of a dark painted studio backdrop",
    light: "classic butterfly lighting with a hair light, Old Hollywood style, rendered in black and white",
    camera: "105 mm at f/4, head and shoulders, a slight turn of the head, timeless and poised",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#2a2a2a", "#5a5a5a"], motif: "plain", motifColour: "#444444",
    light: { x: 0.5, y: 0.1, colour: "#ffffff" }, grade: { brightness: 1.0, saturation: 0, hue: 0, mono: true }, grain: 0.08, vignette: 0.55,
  }),
];

const professional: readonly Scene[] = [
  scene("professional-grey-studio", { en: "Headshot on grey", ru: "Портрет на сером фоне" }, {
    wardrobe: "a navy suit and a crisp white shirt",
    setting: "in front of a seamless mid-grey paper backdrop in a photo studio",
    light: "a large octabox as the key at 45 degrees, soft fill, a subtle hair light",
    camera: "85 mm at f/4, head and shoulders, eye level, centred, a warm confident half-smile",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#8a8f96", "#b9bec4"], motif: "plain", motifColour: "#9ea3a9",
    light: { x: 0.3, y: 0.2, colour: "#f4f6fa" }, grade: { brightness: 1.02, saturation: 0.9, hue: 0 }, grain: 0.02, vignette: 0.25,
  }),
  scene("professional-glass-office", { en: "Glass-walled office", ru: "Офис со стеклянными стенами" }, {
    wardrobe: "a charcoal suit jacket over a light-blue shirt",
    setting: "in a modern office with glass partitions, colleagues and desks softly blurred behind",
    light: "soft daylight from large windows, gentle fill",
    camera: "85 mm at f/2, chest up, shallow depth of field, looking into the lens",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#a9b8c8", "#e1e7ee"], motif: "panes", motifColour: "#dfe8f2",
    light: { x: 0.1, y: 0.3, colour: "#f3f7ff" }, grade: { brightness: 1.03, saturation: 0.85, hue: -4 }, grain: 0.03, vignette: 0.2,
  }),
  scene("professional-corner-office", { en: "Corner office", ru: "Угловой кабинет" }, {
    wardrobe: "a dark tailored suit, no tie, an open collar",
    setting: "in a corner office with floor-to-ceiling windows over the city, standing by a walnut desk",
    light: "window light from the side with a soft fill",
    camera: "50 mm at f/2.8, waist up, the skyline out of focus",
  }, {
    framing: "medium", subjectX: 0.42, sky: ["#9fb1c4", "#dfe6ed"], motif: "skyline", motifColour: "#7d8ea2",
    light: { x: 0.85, y: 0.25, colour: "#eef3fa" }, grade: { brightness: 1.02, saturation: 0.85, hue: -6 }, grain: 0.03, vignette: 0.25,
  }),
  scene("professional-white-studio", { en: "Bright white backdrop", ru: "Светлый студийный фон" }, {
    wardrobe: "a light-grey blazer over a fine knit",
    setting: "in front of a bright white seamless backdrop",
    light: "high-key, even soft light, no harsh shadows",
    camera: "85 mm at f/5.6, head and shoulders, arms loosely crossed, open friendly expression",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#f4f5f6", "#e2e4e6"], motif: "plain", motifColour: "#ececec",
    light: { x: 0.5, y: 0.2, colour: "#ffffff" }, grade: { brightness: 1.08, saturation: 0.9, hue: 0 }, grain: 0.02, vignette: 0.1,
  }),
  scene("professional-conference-stage", { en: "Conference speaker", ru: "Спикер на конференции" }, {
    wardrobe: "a dark blazer over an open-collar shirt, a small clip-on microphone",
    setting: "speaking on a conference stage, a large screen and the audience's lights blurred behind",
    light: "a stage spotlight as the key, cool blue stage wash behind",
    camera: "135 mm at f/2.8 from the audience, waist up, mid-gesture, engaged expression",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#0f1c33", "#26406b"], motif: "bokeh", motifColour: "#6fa8ff",
    light: { x: 0.5, y: 0.05, colour: "#fff4e6" }, grade: { brightness: 0.98, saturation: 0.95, hue: -10 }, grain: 0.04, vignette: 0.45,
  }),
  scene("professional-boardroom", { en: "Boardroom", ru: "Переговорная" }, {
    wardrobe: "a navy suit and a white shirt",
    setting: "at the head of a long boardroom table with leather chairs and a wall screen",
    light: "soft overhead light with daylight from the windows",
    camera: "35 mm at f/4, waist up, hands resting on the table, composed and calm",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#5b5550", "#a59b90"], motif: "panes", motifColour: "#c8c0b6",
    light: { x: 0.5, y: 0.0, colour: "#f8f4ee" }, grade: { brightness: 1.0, saturation: 0.85, hue: 2 }, grain: 0.03, vignette: 0.3,
  }),
  scene("professional-business-district", { en: "Business district", ru: "Деловой квартал" }, {
    wardrobe: "a tailored wool coat over a suit, a leather briefcase",
    setting: "walking between the glass towers of a business district in the morning",
    light: "soft overcast daylight, cool reflections from the glass",
    camera: "85 mm at f/2.8, three-quarter length, mid-stride, the towers out of focus",
  }, {
    framing: "wide", subjectX: 0.5, sky: ["#7e8fa3", "#c9d2dc"], motif: "skyline", motifColour: "#39475a",
    light: { x: 0.5, y: 0.0, colour: "#e8f0ff" }, grade: { brightness: 1.0, saturation: 0.85, hue: -10 }, grain: 0.04, vignette: 0.3,
  }),
  scene("professional-coworking", { en: "Co-working space", ru: "Коворкинг" }, {
    wardrobe: "an unstructured blazer over a crisp shirt",
    setting: "at a long wooden table in a bright co-working space with plants and a laptop",
    light: "soft daylight from tall windows",
    camera: "35 mm at f/2.8, seated, chest up, looking up from the laptop into the lens",
  }, {
    framing: "medium", subjectX: 0.55, sky: ["#d9dccf", "#f2f1ea"], motif: "panes", motifColour: "#ffffff",
    light: { x: 0.1, y: 0.2, colour: "#fbfaf2" }, grade: { brightness: 1.05, saturation: 0.95, hue: 0 }, grain: 0.03, vignette: 0.2,
  }),
  scene("professional-library", { en: "Library", ru: "Библиотека" }, {
    wardrobe: "a dark suit and a knitted tie",
    setting: "between tall wooden shelves of a law library",
    light: "warm desk-lamp light with soft window light from the side",
    camera: "50 mm at f/2, waist up, rows of books softly blurred",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#5a3d2b", "#a5774f"], motif: "shelves", motifColour: "#3a2619",
    light: { x: 0.15, y: 0.2, colour: "#ffdcaa" }, grade: { brightness: 0.98, saturation: 0.85, hue: 6, tint: [255, 236, 212] }, grain: 0.04, vignette: 0.4,
  }),
  scene("professional-dark-studio", { en: "Portrait on a dark backdrop", ru: "Портрет на тёмном фоне" }, {
    wardrobe: "a black suit and a charcoal shirt",
    setting: "in front of a dark charcoal studio backdrop",
    light: "one soft key light in Rembrandt style, a faint rim to separate from the backdrop",
    camera: "105 mm at f/4, head and shoulders, a slight turn of the shoulders, serious and assured",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#1e2124", "#3a3e42"], motif: "plain", motifColour: "#2c3034",
    light: { x: 0.25, y: 0.2, colour: "#f4efe8" }, grade: { brightness: 0.98, saturation: 0.85, hue: 0 }, grain: 0.03, vignette: 0.5,
  }),
  scene("professional-office-window", { en: "By the office window", ru: "У окна в офисе" }, {
    wardrobe: "a light-grey suit with an open-collar white shirt",
    setting: "standing by a tall office window, the city blurred outside",
    light: "soft side light from the window, the far side gently filled",
    camera: "85 mm at f/2, three-quarter turn, waist up, turning to the camera",
  }, {
    framing: "medium", subjectX: 0.6, sky: ["#c3ccd6", "#eef1f4"], motif: "panes", motifColour: "#f7f9fb",
    light: { x: 0.05, y: 0.3, colour: "#ffffff" }, grade: { brightness: 1.04, saturation: 0.88, hue: -2 }, grain: 0.03, vignette: 0.2,
  }),
  scene("professional-company-lobby", { en: "Company lobby", ru: "Холл бизнес-центра" }, {
    wardrobe: "a navy suit with a white shirt",
    setting: "in the marble-and-glass lobby of a corporate headquarters",
    light: "bright diffused daylight from the glass atrium",
    camera: "35 mm at f/4, full length, standing confidently, clean symmetrical lines",
  }, {
    framing: "wide", subjectX: 0.5, sky: ["#cfd2d4", "#f2f2f0"], motif: "stripes", motifColour: "#b7bcc0",
    light: { x: 0.5, y: 0.0, colour: "#ffffff" }, grade: { brightness: 1.06, saturation: 0.85, hue: 0 }, grain: 0.02, vignette: 0.2,
  }),
  scene("professional-leading-meeting", { en: "Leading a meeting", ru: "На совещании" }, {
    wardrobe: "a blazer over a light shirt",
    setting: "at a glass wall covered with sticky notes and diagrams in a meeting room, presenting to the team",
    light: "soft, even office light",
    camera: "50 mm at f/2.8, waist up, mid-explanation, engaged and approachable",
  }, {
    framing: "medium", subjectX: 0.45, sky: ["#b9c7cf", "#eaf0f2"], motif: "panes", motifColour: "#f5e08a",
    light: { x: 0.7, y: 0.1, colour: "#f6f8fb" }, grade: { brightness: 1.04, saturation: 0.92, hue: -2 }, grain: 0.03, vignette: 0.2,
  }),
  scene("professional-at-the-desk", { en: "At the desk", ru: "За рабочим столом" }, {
    wardrobe: "a tailored blazer and a plain shirt",
    setting: "at a clean desk with a laptop and a notebook in a minimalist office",
    light: "soft window light from the side",
    camera: "50 mm at f/2.8, seated, chest up, looking at the camera with a calm smile",
  }, {
    framing: "close", subjectX: 0.45, sky: ["#d6d3cd", "#efece7"], motif: "plain", motifColour: "#dcd8d1",
    light: { x: 0.1, y: 0.25, colour: "#fffaf2" }, grade: { brightness: 1.04, saturation: 0.9, hue: 2 }, grain: 0.03, vignette: 0.2,
  }),
  scene("professional-panel-discussion", { en: "Panel discussion", ru: "Панельная дискуссия" }, {
    wardrobe: "a dark suit with an open collar",
    setting: "seated on a panel discussion stage with a handheld microphone, the event backdrop blurred",
    light: "warm stage key light with a cool blue background wash",
    camera: "85 mm at f/2.8, seated, waist up, listening attentively",
  }, {
    framing: "medium", subjectX: 0.55, sky: ["#1a2a44", "#3c5a80"], motif: "bokeh", motifColour: "#ffd89a",
    light: { x: 0.35, y: 0.1, colour: "#ffe8c8" }, grade: { brightness: 0.98, saturation: 0.92, hue: -6 }, grain: 0.04, vignette: 0.4,
  }),
  scene("professional-blue-backdrop", { en: "Corporate blue backdrop", ru: "Корпоративный синий фон" }, {
    wardrobe: "a charcoal suit with a light-blue shirt",
    setting: "in front of a muted steel-blue studio backdrop with a soft gradient",
    light: "clamshell lighting, soft and flattering, catchlights in the eyes",
    camera: "85 mm at f/4, head and shoulders, square to the camera",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#3d5673", "#7892ad"], motif: "plain", motifColour: "#56708c",
    light: { x: 0.5, y: 0.25, colour: "#f2f6fc" }, grade: { brightness: 1.0, saturation: 0.9, hue: -4 }, grain: 0.02, vignette: 0.35,
  }),
  scene("professional-open-plan", { en: "Open-plan office", ru: "Открытый офис" }, {
    wardrobe: "a fine navy knit under a grey blazer",
    setting: "in a bright open-plan office with rows of desks softly blurred behind",
    light: "soft daylight mixed with even ceiling light",
    camera: "85 mm at f/1.8, chest up, relaxed posture, approachable smile",
  }, {
    framing: "medium", subjectX: 0.48, sky: ["#d4dde3", "#f5f7f8"], motif: "stripes", motifColour: "#c2ccd3",
    light: { x: 0.3, y: 0.0, colour: "#f8fbff" }, grade: { brightness: 1.05, saturation: 0.9, hue: -2 }, grain: 0.03, vignette: 0.15,
  }),
  scene("professional-office-terrace", { en: "Office terrace over the city", ru: "Терраса офиса с видом на город" }, {
    wardrobe: "a tailored suit with an open collar",
    setting: "on the terrace of a high-rise office, the business district skyline behind",
    light: "soft overcast daylight, even and flattering",
    camera: "50 mm at f/2.8, waist up, hands resting on the glass railing",
  }, {
    framing: "medium", subjectX: 0.4, sky: ["#9eb3c8", "#dde6ef"], motif: "skyline", motifColour: "#5f7288",
    light: { x: 0.6, y: 0.05, colour: "#f0f5fb" }, grade: { brightness: 1.03, saturation: 0.88, hue: -6 }, grain: 0.03, vignette: 0.25,
  }),
  scene("professional-business-lounge", { en: "Airport business lounge", ru: "Бизнес-зал аэропорта" }, {
    wardrobe: "a travel-ready suit, a carry-on case beside",
    setting: "at the window of an airport business lounge, aircraft on the apron outside",
    light: "bright daylight from the panoramic window, soft fill",
    camera: "50 mm at f/2.8, waist up, glancing at the camera while checking the time",
  }, {
    framing: "medium", subjectX: 0.55, sky: ["#a8c3da", "#e6eef5"], motif: "horizon", motifColour: "#8a98a6",
    light: { x: 0.1, y: 0.2, colour: "#f5f9ff" }, grade: { brightness: 1.04, saturation: 0.85, hue: -6 }, grain: 0.03, vignette: 0.2,
  }),
  scene("professional-lecture-hall", { en: "Lecture hall", ru: "Лекционный зал" }, {
    wardrobe: "a tweed blazer over a plain shirt",
    setting: "at the lectern of a university lecture hall with tiered wooden seats",
    light: "warm hall light with a soft key from the front",
    camera: "35 mm at f/2.8, waist up, one hand on the lectern, authoritative and kind",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#6a4e36", "#b99a78"], motif: "stripes", motifColour: "#5a3f28",
    light: { x: 0.5, y: 0.1, colour: "#fff0da" }, grade: { brightness: 1.0, saturation: 0.88, hue: 6 }, grain: 0.04, vignette: 0.35,
  }),
  scene("professional-interview-set", { en: "Television interview", ru: "Интервью на телевидении" }, {
    wardrobe: "a dark suit with a light shirt",
    setting: "seated in an armchair on a television interview set, studio lights blurred behind",
    light: "soft broadcast lighting, a gentle key and a hair light",
    camera: "85 mm at f/2.8, seated, chest up, answering a question thoughtfully",
  }, {
    framing: "close", subjectX: 0.55, sky: ["#1c2433", "#3b4a63"], motif: "bokeh", motifColour: "#a9c4ff",
    light: { x: 0.3, y: 0.15, colour: "#fff6ea" }, grade: { brightness: 1.0, saturation: 0.9, hue: -6 }, grain: 0.03, vignette: 0.4,
  }),
  scene("professional-loft-office", { en: "Loft office", ru: "Офис-лофт" }, {
    wardrobe: "a dark roll-neck under a charcoal blazer",
    setting: "in an office in a converted loft with exposed brick and concrete, large steel-framed windows",
    light: "soft window light from the side, natural shadows",
    camera: "50 mm at f/2, waist up, leaning lightly against a desk",
  }, {
    framing: "medium", subjectX: 0.45, sky: ["#7a6a60", "#b8aca2"], motif: "panes", motifColour: "#d8d4cf",
    light: { x: 0.9, y: 0.2, colour: "#f6f2ec" }, grade: { brightness: 1.0, saturation: 0.85, hue: 2 }, grain: 0.04, vignette: 0.3,
  }),
  scene("professional-black-and-white", { en: "Classic black-and-white headshot", ru: "Классический чёрно-белый портрет" }, {
    wardrobe: "a dark suit and a white shirt",
    setting: "in front of a plain mid-grey studio backdrop",
    light: "classic loop lighting with a soft fill, rendered in black and white",
    camera: "85 mm at f/4, head and shoulders, eye level, direct and trustworthy",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#6a6a6a", "#9a9a9a"], motif: "plain", motifColour: "#808080",
    light: { x: 0.3, y: 0.15, colour: "#ffffff" }, grade: { brightness: 1.02, saturation: 0, hue: 0, mono: true }, grain: 0.04, vignette: 0.35,
  }),
];

const lifestyle: readonly Scene[] = [
  scene("lifestyle-cafe-window", { en: "Café by the window", ru: "У окна в кафе" }, {
    wardrobe: "an oversized knit sweater",
    setting: "at a window table in a cosy café, a cappuccino in hand",
    light: "soft daylight through the café window, warm interior glow",
    camera: "50 mm at f/1.8, chest up, candid, a relaxed smile",
  }, {
    framing: "close", subjectX: 0.45, sky: ["#d9b48f", "#f4e6d2"], motif: "panes", motifColour: "#fff3de",
    light: { x: 0.1, y: 0.25, colour: "#ffe7b8" }, grade: { brightness: 1.05, saturation: 1.0, hue: 8, tint: [255, 236, 210] }, grain: 0.06, vignette: 0.25,
  }),
  scene("lifestyle-park-stroll", { en: "A walk in the park", ru: "Прогулка в парке" }, {
    wardrobe: "a denim jacket over a white T-shirt",
    setting: "walking along a tree-lined park path on a sunny day",
    light: "dappled sunlight through the leaves, warm and natural",
    camera: "85 mm at f/2, three-quarter length, mid-step, caught in a natural moment",
  }, {
    framing: "wide", subjectX: 0.5, sky: ["#9cc47a", "#e9f1d2"], motif: "trees", motifColour: "#4f7a32",
    light: { x: 0.7, y: 0.05, colour: "#fff6d2" }, grade: { brightness: 1.05, saturation: 1.08, hue: 2 }, grain: 0.05, vignette: 0.2,
  }),
  scene("lifestyle-home-morning", { en: "Slow morning at home", ru: "Утро дома" }, {
    wardrobe: "a soft grey hoodie and comfortable loungewear",
    setting: "curled up on a sofa with a book and a mug in a bright living room",
    light: "gentle morning light from a large window",
    camera: "35 mm at f/2, seated, waist up, cosy and unposed",
  }, {
    framing: "medium", subjectX: 0.55, sky: ["#efe4d4", "#d9c6ae"], motif: "panes", motifColour: "#ffffff",
    light: { x: 0.05, y: 0.2, colour: "#fff3da" }, grade: { brightness: 1.06, saturation: 0.98, hue: 6 }, grain: 0.05, vignette: 0.2,
  }),
  scene("lifestyle-seaside-walk", { en: "Walk by the sea", ru: "Прогулка у моря" }, {
    wardrobe: "a loose linen shirt and rolled-up trousers, barefoot",
    setting: "at the water's edge on a quiet beach",
    light: "soft late-afternoon sun, a light sea breeze in the hair",
    camera: "85 mm at f/2.8, three-quarter length, laughing, looking off to the side",
  }, {
    framing: "wide", subjectX: 0.62, sky: ["#f7b6c2", "#fde3cf"], motif: "horizon", motifColour: "#8fb4cf",
    light: { x: 0.3, y: 0.45, colour: "#ffd1c2" }, grade: { brightness: 1.07, saturation: 0.95, hue: 12 }, grain: 0.04, vignette: 0.18,
  }),
  scene("lifestyle-home-cooking", { en: "Cooking at home", ru: "Готовим дома" }, {
    wardrobe: "a linen apron over a casual T-shirt",
    setting: "at a kitchen counter chopping fresh vegetables, herbs and a pan on the stove",
    light: "warm window light, homely and bright",
    camera: "35 mm at f/2.8, waist up, laughing mid-task",
  }, {
    framing: "medium", subjectX: 0.45, sky: ["#f1d9b5", "#d8b48a"], motif: "panes", motifColour: "#fff3de",
    light: { x: 0.1, y: 0.1, colour: "#ffe7b8" }, grade: { brightness: 1.06, saturation: 1.05, hue: 8, tint: [255, 236, 210] }, grain: 0.05, vignette: 0.25,
  }),
  scene("lifestyle-mountain-hike", { en: "Mountain hike", ru: "Поход в горы" }, {
    wardrobe: "a fleece jacket and a small backpack",
    setting: "on a mountain trail with a wide valley and peaks behind",
    light: "bright clear sunshine, crisp mountain air",
    camera: "35 mm at f/5.6, three-quarter length, resting on the trail, a happy tired smile",
  }, {
    framing: "wide", subjectX: 0.5, sky: ["#9cc4ef", "#eef5fb"], motif: "peaks", motifColour: "#f7fbff",
    light: { x: 0.8, y: 0.1, colour: "#fff6e0" }, grade: { brightness: 1.06, saturation: 1.05, hue: -6 }, grain: 0.05, vignette: 0.2,
  }),
  scene("lifestyle-farmers-market", { en: "Farmers' market", ru: "Фермерский рынок" }, {
    wardrobe: "a light linen shirt, a canvas tote with fresh produce",
    setting: "at a colourful farmers' market among fruit and vegetable stalls",
    light: "soft daylight under the awnings",
    camera: "50 mm at f/2, waist up, choosing fruit and smiling at the camera",
  }, {
    framing: "medium", subjectX: 0.4, sky: ["#8cc084", "#f2e7b8"], motif: "awning", motifColour: "#2e7d32",
    light: { x: 0.5, y: 0.0, colour: "#fff4d6" }, grade: { brightness: 1.06, saturation: 1.15, hue: 4 }, grain: 0.05, vignette: 0.2,
  }),
  scene("lifestyle-city-bike", { en: "City bike ride", ru: "На велосипеде по городу" }, {
    wardrobe: "a casual striped shirt and chinos",
    setting: "riding a city bike along a sunny riverside promenade",
    light: "bright morning sun, natural and airy",
    camera: "85 mm at f/2.8, panning shot, waist up, motion in the background",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#8fc6e8", "#e6f3f8"], motif: "stripes", motifColour: "#c8d8e0",
    light: { x: 0.85, y: 0.1, colour: "#fffbe6" }, grade: { brightness: 1.06, saturation: 1.05, hue: -2 }, grain: 0.04, vignette: 0.15,
  }),
  scene("lifestyle-picnic", { en: "Picnic in the park", ru: "Пикник в парке" }, {
    wardrobe: "a light summer shirt",
    setting: "sitting on a checked blanket on the grass with fruit and lemonade",
    light: "golden-hour sunlight, soft and warm",
    camera: "50 mm at f/2, seated, waist up, relaxed and smiling",
  }, {
    framing: "medium", subjectX: 0.42, sky: ["#f3b562", "#fbe3b5"], motif: "bokeh", motifColour: "#ffe6a8",
    light: { x: 0.9, y: 0.25, colour: "#ffc470" }, grade: { brightness: 1.05, saturation: 1.1, hue: 10, tint: [255, 226, 190] }, grain: 0.05, vignette: 0.25,
  }),
  scene("lifestyle-bookshop", { en: "Cosy bookshop", ru: "Уютный книжный" }, {
    wardrobe: "a soft cardigan over a T-shirt",
    setting: "browsing the shelves of a small independent bookshop",
    light: "warm lamp light with daylight from the shop window",
    camera: "50 mm at f/1.8, chest up, glancing up from an open book",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#6a4a30", "#b58a5e"], motif: "shelves", motifColour: "#4a3020",
    light: { x: 0.2, y: 0.2, colour: "#ffcf8a" }, grade: { brightness: 1.0, saturation: 0.95, hue: 8, tint: [255, 232, 204] }, grain: 0.07, vignette: 0.4,
  }),
  scene("lifestyle-morning-run", { en: "Morning run", ru: "Утренняя пробежка" }, {
    wardrobe: "running gear and trainers",
    setting: "jogging along a river embankment at sunrise",
    light: "fresh low sunrise light from the side",
    camera: "85 mm at f/2.8, three-quarter length, in motion, energetic",
  }, {
    framing: "wide", subjectX: 0.45, sky: ["#f5c39a", "#dfeaf2"], motif: "horizon", motifColour: "#7fa3bd",
    light: { x: 0.15, y: 0.5, colour: "#ffdcb0" }, grade: { brightness: 1.05, saturation: 1.05, hue: 6 }, grain: 0.05, vignette: 0.2,
  }),
  scene("lifestyle-autumn-park", { en: "Autumn in the park", ru: "Осень в парке" }, {
    wardrobe: "a wool coat and a knitted scarf",
    setting: "on a park path among falling orange and red leaves",
    light: "soft autumn sun, warm glow through the trees",
    camera: "85 mm at f/2, waist up, leaves drifting in the foreground",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#c8642b", "#e9b061"], motif: "trees", motifColour: "#6b2f12",
    light: { x: 0.6, y: 0.0, colour: "#ffc980" }, grade: { brightness: 1.0, saturation: 1.12, hue: 16, tint: [255, 224, 190] }, grain: 0.06, vignette: 0.3,
  }),
  scene("lifestyle-old-town", { en: "Exploring an old town", ru: "Прогулка по старому городу" }, {
    wardrobe: "a light casual jacket, a camera on a strap",
    setting: "on a cobbled street of a European old town with arched doorways",
    light: "soft afternoon light between the buildings",
    camera: "35 mm at f/2.8, three-quarter length, looking around with curiosity",
  }, {
    framing: "wide", subjectX: 0.55, sky: ["#e8c9a0", "#f6ead8"], motif: "arches", motifColour: "#b48a64",
    light: { x: 0.3, y: 0.1, colour: "#fff0d2" }, grade: { brightness: 1.04, saturation: 1.0, hue: 8 }, grain: 0.05, vignette: 0.25,
  }),
  scene("lifestyle-train-journey", { en: "Train journey", ru: "В поезде" }, {
    wardrobe: "a soft knit sweater",
    setting: "by the window of a train carriage, countryside passing outside",
    light: "soft daylight from the train window on the face",
    camera: "50 mm at f/2, chest up, gazing out of the window, then glancing at the camera",
  }, {
    framing: "close", subjectX: 0.55, sky: ["#b7cfb0", "#eef2e6"], motif: "horizon", motifColour: "#8aa77a",
    light: { x: 0.05, y: 0.3, colour: "#fafff0" }, grade: { brightness: 1.04, saturation: 0.98, hue: 0 }, grain: 0.05, vignette: 0.3,
  }),
  scene("lifestyle-dog-walk", { en: "Walking the dog", ru: "Прогулка с собакой" }, {
    wardrobe: "a casual parka and jeans",
    setting: "walking a golden retriever through a green park",
    light: "bright soft daylight",
    camera: "85 mm at f/2.8, three-quarter length, crouching to pat the dog, laughing",
  }, {
    framing: "wide", subjectX: 0.45, sky: ["#a8cf8e", "#eef4de"], motif: "trees", motifColour: "#3f6a2a",
    light: { x: 0.3, y: 0.05, colour: "#fffbe8" }, grade: { brightness: 1.05, saturation: 1.05, hue: 0 }, grain: 0.05, vignette: 0.2,
  }),
  scene("lifestyle-snowy-day", { en: "Snowy winter day", ru: "Снежный зимний день" }, {
    wardrobe: "a puffer jacket, a knitted hat and mittens",
    setting: "in a snowy park with softly falling snowflakes",
    light: "soft overcast winter light, snow brightening the face",
    camera: "85 mm at f/2, chest up, snowflakes blurred in the foreground, rosy cheeks",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#c9d6e2", "#f2f5f8"], motif: "rain", motifColour: "#ffffff",
    light: { x: 0.5, y: 0.1, colour: "#f4f8ff" }, grade: { brightness: 1.08, saturation: 0.9, hue: -6 }, grain: 0.04, vignette: 0.2,
  }),
  scene("lifestyle-dinner-with-friends", { en: "Dinner with friends", ru: "Ужин с друзьями" }, {
    wardrobe: "a relaxed linen shirt",
    setting: "at a long table in a garden under string lights, friends laughing softly blurred around",
    light: "warm string lights and the last of the evening sky",
    camera: "50 mm at f/1.8, seated, chest up, mid-laugh, warm bokeh behind",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#3a2a40", "#8a5a5a"], motif: "bokeh", motifColour: "#ffd48a",
    light: { x: 0.4, y: 0.4, colour: "#ffc27a" }, grade: { brightness: 0.98, saturation: 1.05, hue: 10, tint: [255, 224, 196] }, grain: 0.07, vignette: 0.45,
  }),
  scene("lifestyle-tennis-court", { en: "On the tennis court", ru: "На теннисном корте" }, {
    wardrobe: "white tennis clothes, a racket over the shoulder",
    setting: "on a sunny clay tennis court",
    light: "bright midday sun with a soft bounce from the court",
    camera: "50 mm at f/4, three-quarter length, sporty and cheerful",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#6fb3e0", "#dcecf6"], motif: "stripes", motifColour: "#c8643a",
    light: { x: 0.9, y: 0.05, colour: "#ffffff" }, grade: { brightness: 1.06, saturation: 1.15, hue: -2 }, grain: 0.04, vignette: 0.2,
  }),
  scene("lifestyle-flower-shop", { en: "At the flower shop", ru: "В цветочной лавке" }, {
    wardrobe: "a light linen shirt, a fresh bouquet in hand",
    setting: "outside a small flower shop with buckets of blooms on the pavement",
    light: "soft shade under the shop's awning, bright street behind",
    camera: "85 mm at f/2, waist up, smelling the flowers, looking up at the camera",
  }, {
    framing: "medium", subjectX: 0.45, sky: ["#f3cfd6", "#fbeef0"], motif: "awning", motifColour: "#3a6b5a",
    light: { x: 0.6, y: 0.1, colour: "#fff4ee" }, grade: { brightness: 1.06, saturation: 1.1, hue: 4 }, grain: 0.05, vignette: 0.2,
  }),
  scene("lifestyle-lake-pier", { en: "Lake at dawn", ru: "Озеро на рассвете" }, {
    wardrobe: "a chunky knit sweater and jeans",
    setting: "sitting on a wooden pier over a misty lake at dawn",
    light: "soft pastel dawn light, mist glowing on the water",
    camera: "50 mm at f/2.8, seated, three-quarter length, calm and thoughtful",
  }, {
    framing: "wide", subjectX: 0.4, sky: ["#c6bfdc", "#f4e0d6"], motif: "horizon", motifColour: "#9fb0c8",
    light: { x: 0.7, y: 0.5, colour: "#ffe2d0" }, grade: { brightness: 1.04, saturation: 0.9, hue: 4 }, grain: 0.05, vignette: 0.25,
  }),
  scene("lifestyle-morning-yoga", { en: "Morning yoga", ru: "Утренняя йога" }, {
    wardrobe: "comfortable yoga wear",
    setting: "on a mat in a bright yoga studio with wooden floors and plants",
    light: "soft morning sunlight through large windows",
    camera: "35 mm at f/2.8, seated cross-legged, three-quarter length, peaceful",
  }, {
    framing: "wide", subjectX: 0.5, sky: ["#efe6d8", "#d9c9b0"], motif: "panes", motifColour: "#fffaf0",
    light: { x: 0.2, y: 0.2, colour: "#fff3dc" }, grade: { brightness: 1.07, saturation: 0.95, hue: 6 }, grain: 0.04, vignette: 0.15,
  }),
  scene("lifestyle-rainy-umbrella", { en: "Rainy day with an umbrella", ru: "Дождливый день под зонтом" }, {
    wardrobe: "a trench coat, a clear umbrella",
    setting: "on a wet city street on a rainy afternoon, shop windows glowing",
    light: "soft overcast light, warm reflections from the shop windows",
    camera: "85 mm at f/2, chest up, raindrops on the umbrella, a cheerful smile",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#8e9aa6", "#c9d0d6"], motif: "rain", motifColour: "#dfe6ec",
    light: { x: 0.75, y: 0.5, colour: "#ffd9a8" }, grade: { brightness: 1.02, saturation: 0.95, hue: 4 }, grain: 0.06, vignette: 0.3,
  }),
  scene("lifestyle-road-trip", { en: "Road trip", ru: "Путешествие на машине" }, {
    wardrobe: "a denim shirt and sunglasses pushed up on the head",
    setting: "sitting on the open tailgate of a car by an empty countryside road",
    light: "warm evening sun, long shadows",
    camera: "35 mm at f/2.8, seated, three-quarter length, free and easy",
  }, {
    framing: "wide", subjectX: 0.45, sky: ["#f0a868", "#f6d7a7"], motif: "horizon", motifColour: "#b08a5a",
    light: { x: 0.8, y: 0.35, colour: "#ffcf8a" }, grade: { brightness: 1.04, saturation: 1.08, hue: 12, tint: [255, 232, 200] }, grain: 0.07, vignette: 0.3,
  }),
];

const creative: readonly Scene[] = [
  scene("creative-neon-glow", { en: "Neon glow", ru: "Неоновое сияние" }, {
    wardrobe: "a black leather jacket",
    setting: "in front of a wall of pink and blue neon tubes",
    light: "magenta light from one side and cyan from the other, glowing reflections on the skin",
    camera: "85 mm at f/1.8, head and shoulders, moody and direct",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#2b0f4a", "#6a1a6a"], motif: "bokeh", motifColour: "#ff4fb8",
    light: { x: 0.9, y: 0.4, colour: "#4fd8ff" }, grade: { brightness: 0.98, saturation: 1.35, hue: -20, tint: [240, 210, 255] }, grain: 0.07, vignette: 0.5,
  }),
  scene("creative-film-noir", { en: "Film noir", ru: "Кинонуар" }, {
    wardrobe: "a belted trench coat with the collar turned up",
    setting: "under a streetlamp on a rain-soaked city street at night",
    light: "hard side light from the streetlamp, deep shadows, rendered in high-contrast black and white",
    camera: "50 mm at f/2, waist up, a mysterious glance over the shoulder",
  }, {
    framing: "medium", subjectX: 0.45, sky: ["#101418", "#3a444c"], motif: "rain", motifColour: "#c8d2da",
    light: { x: 0.8, y: 0.2, colour: "#e8f0ff" }, grade: { brightness: 0.95, saturation: 0, hue: 0, mono: true }, grain: 0.14, vignette: 0.6,
  }),
  scene("creative-colour-block", { en: "Colour-block studio", ru: "Цветовые блоки" }, {
    wardrobe: "a bold tangerine outfit",
    setting: "against a saturated cobalt-blue seamless backdrop",
    light: "hard direct flash with a crisp shadow on the backdrop",
    camera: "70 mm at f/8, three-quarter length, a confident fashion pose",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#1a3fc4", "#2f5ae0"], motif: "plain", motifColour: "#2448d0",
    light: { x: 0.4, y: 0.1, colour: "#ffffff" }, grade: { brightness: 1.04, saturation: 1.4, hue: 0 }, grain: 0.03, vignette: 0.2,
  }),
  scene("creative-fashion-editorial", { en: "Fashion editorial", ru: "Модная съёмка" }, {
    wardrobe: "an avant-garde oversized sculptural coat",
    setting: "in a minimal studio against a single bold red wall",
    light: "a hard strobe casting a graphic shadow on the wall",
    camera: "50 mm at f/8, full length, an angular editorial pose",
  }, {
    framing: "wide", subjectX: 0.45, sky: ["#b3121f", "#d42a2a"], motif: "plain", motifColour: "#c01c24",
    light: { x: 0.25, y: 0.1, colour: "#fff4f0" }, grade: { brightness: 1.02, saturation: 1.3, hue: 0 }, grain: 0.04, vignette: 0.3,
  }),
  scene("creative-cloud-room", { en: "A room full of clouds", ru: "Комната с облаками" }, {
    wardrobe: "a pastel suit",
    setting: "standing in a white room filled with soft floating clouds, a surreal but calm scene",
    light: "dreamy diffused pastel light",
    camera: "35 mm at f/4, full length, the clouds drifting around the figure",
  }, {
    framing: "wide", subjectX: 0.5, sky: ["#f6c9dc", "#cfe0ff"], motif: "bokeh", motifColour: "#ffffff",
    light: { x: 0.5, y: 0.1, colour: "#fff0fa" }, grade: { brightness: 1.08, saturation: 1.0, hue: 8 }, grain: 0.04, vignette: 0.15,
  }),
  scene("creative-colour-gels", { en: "Red and blue gels", ru: "Красный и синий свет" }, {
    wardrobe: "a black roll-neck",
    setting: "in a dark studio",
    light: "a red gel key light from the left and a deep blue rim from the right",
    camera: "85 mm at f/2.8, tight head and shoulders, intense gaze",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#1a0410", "#200a3a"], motif: "plain", motifColour: "#140818",
    light: { x: 0.1, y: 0.35, colour: "#ff2a3a" }, grade: { brightness: 0.95, saturation: 1.4, hue: 0, tint: [255, 200, 220] }, grain: 0.06, vignette: 0.6,
  }),
  scene("creative-prism-light", { en: "Prism light", ru: "Свет сквозь призму" }, {
    wardrobe: "a simple white shirt",
    setting: "in a studio, a glass prism held near the lens",
    light: "a narrow beam of sunlight through the prism scattering rainbow streaks across the face",
    camera: "100 mm at f/2.8, close-up of the face, rainbow flare in the foreground",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#2a2a3a", "#4a3a5a"], motif: "stripes", motifColour: "#7fffd4",
    light: { x: 0.7, y: 0.3, colour: "#ffe08a" }, grade: { brightness: 1.0, saturation: 1.3, hue: 20 }, grain: 0.05, vignette: 0.45,
  }),
  scene("creative-cyberpunk-alley", { en: "Cyberpunk night", ru: "Киберпанк" }, {
    wardrobe: "a technical jacket with reflective details",
    setting: "in a rain-slick alley lined with glowing neon signs at night",
    light: "teal and magenta neon from the signs, wet reflections on the ground",
    camera: "35 mm at f/1.8, waist up, steam drifting behind",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#04141c", "#0e3a4a"], motif: "rain", motifColour: "#3ff0ff",
    light: { x: 0.15, y: 0.3, colour: "#ff3fb0" }, grade: { brightness: 0.96, saturation: 1.35, hue: -24, tint: [200, 240, 255] }, grain: 0.08, vignette: 0.55,
  }),
  scene("creative-pop-art", { en: "Pop art", ru: "Поп-арт" }, {
    wardrobe: "a graphic colourful outfit",
    setting: "against a bright yellow wall with a bold halftone-dot pattern",
    light: "hard, even flash, punchy and flat like a comic panel",
    camera: "50 mm at f/8, head and shoulders, a playful expression",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#ffd21a", "#ffb800"], motif: "bokeh", motifColour: "#e0202a",
    light: { x: 0.5, y: 0.2, colour: "#ffffff" }, grade: { brightness: 1.05, saturation: 1.45, hue: 0 }, grain: 0.03, vignette: 0.15,
  }),
  scene("creative-retro-synthwave", { en: "Retro '80s", ru: "Ретро 80-х" }, {
    wardrobe: "an oversized '80s jacket with bold shoulders",
    setting: "in front of a synthwave backdrop: a glowing striped sun and a neon grid horizon",
    light: "pink and violet neon, a warm orange glow from behind",
    camera: "50 mm at f/2.8, waist up, retro cool",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#2a0a4a", "#f04a8a"], motif: "horizon", motifColour: "#5a1a8a",
    light: { x: 0.5, y: 0.55, colour: "#ff8a3a" }, grade: { brightness: 1.0, saturation: 1.35, hue: -12 }, grain: 0.06, vignette: 0.45,
  }),
  scene("creative-mirror-room", { en: "Hall of mirrors", ru: "Зеркальная комната" }, {
    wardrobe: "a metallic silver jacket",
    setting: "in a mirror room with LED light lines, reflections repeating into infinity",
    light: "cool white LED lines and violet accents",
    camera: "24 mm at f/4, waist up, symmetrical composition",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#0a0a1a", "#2a2a4a"], motif: "panes", motifColour: "#9a8aff",
    light: { x: 0.5, y: 0.2, colour: "#e0e4ff" }, grade: { brightness: 0.98, saturation: 1.2, hue: -16 }, grain: 0.05, vignette: 0.5,
  }),
  scene("creative-coloured-smoke", { en: "Coloured smoke", ru: "Цветной дым" }, {
    wardrobe: "a dark, minimal outfit",
    setting: "surrounded by swirling violet and orange coloured smoke",
    light: "backlight through the smoke with a soft key on the face",
    camera: "85 mm at f/2, waist up, smoke curling across the frame",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#3a0f5a", "#ff7a2a"], motif: "bokeh", motifColour: "#b04aff",
    light: { x: 0.5, y: 0.6, colour: "#ffa04a" }, grade: { brightness: 0.98, saturation: 1.35, hue: 0 }, grain: 0.06, vignette: 0.5,
  }),
  scene("creative-projected-patterns", { en: "Projected patterns", ru: "Проекция узоров" }, {
    wardrobe: "a plain white top",
    setting: "in a dark studio with bold geometric patterns projected across the face and body",
    light: "projector light in saturated colours, deep shadows around",
    camera: "85 mm at f/2.8, head and shoulders, eyes closed, then opened to the lens",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#10102a", "#2a1a4a"], motif: "stripes", motifColour: "#ffcf3a",
    light: { x: 0.5, y: 0.3, colour: "#7a5aff" }, grade: { brightness: 0.97, saturation: 1.3, hue: -8 }, grain: 0.06, vignette: 0.55,
  }),
  scene("creative-flower-wall", { en: "Floral surrealism", ru: "Цветочный сюрреализм" }, {
    wardrobe: "a monochrome outfit",
    setting: "framed by a wall of oversized flowers in saturated reds and pinks",
    light: "soft frontal light, rich saturated colour",
    camera: "85 mm at f/2.8, head and shoulders, petals around the face",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#c21a4a", "#ff7aa8"], motif: "bokeh", motifColour: "#ff2a6a",
    light: { x: 0.5, y: 0.2, colour: "#fff0f4" }, grade: { brightness: 1.02, saturation: 1.35, hue: 4 }, grain: 0.04, vignette: 0.3,
  }),
  scene("creative-double-exposure", { en: "Double exposure", ru: "Двойная экспозиция" }, {
    wardrobe: "a dark top",
    setting: "a double exposure of the profile merged with a misty pine forest",
    light: "soft light on the profile against a pale sky, monochrome with a warm accent",
    camera: "85 mm, head and shoulders in profile, the forest filling the silhouette",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#e6e6e6", "#bfbfbf"], motif: "trees", motifColour: "#3a3a3a",
    light: { x: 0.3, y: 0.2, colour: "#ffffff" }, grade: { brightness: 1.02, saturation: 0.3, hue: 0, tint: [255, 236, 214] }, grain: 0.06, vignette: 0.3,
  }),
  scene("creative-graffiti-wall", { en: "Street art", ru: "Стрит-арт" }, {
    wardrobe: "bold streetwear",
    setting: "in front of a vivid graffiti mural on a city wall",
    light: "harsh midday sun with crisp shadows, punchy colour",
    camera: "35 mm at f/5.6, three-quarter length, leaning against the mural",
  }, {
    framing: "wide", subjectX: 0.45, sky: ["#ff5a3a", "#3ac8ff"], motif: "panes", motifColour: "#ffe23a",
    light: { x: 0.8, y: 0.05, colour: "#ffffff" }, grade: { brightness: 1.04, saturation: 1.4, hue: 0 }, grain: 0.05, vignette: 0.25,
  }),
  scene("creative-chiaroscuro", { en: "Old Master chiaroscuro", ru: "Светотень старых мастеров" }, {
    wardrobe: "dark velvet",
    setting: "against a deep brown painterly backdrop, like a Dutch Golden Age portrait",
    light: "a single soft window light from high on one side, deep chiaroscuro",
    camera: "85 mm at f/4, head and shoulders, a still, painterly pose",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#1a120a", "#3a2a18"], motif: "plain", motifColour: "#2a1c10",
    light: { x: 0.15, y: 0.15, colour: "#ffd8a0" }, grade: { brightness: 0.94, saturation: 0.9, hue: 10, tint: [255, 226, 186] }, grain: 0.08, vignette: 0.65,
  }),
  scene("creative-laser-haze", { en: "Lasers in the haze", ru: "Лазеры в дымке" }, {
    wardrobe: "a metallic top",
    setting: "in a dark hazy room crossed by green and violet laser beams",
    light: "laser beams slicing the haze, a soft violet key on the face",
    camera: "35 mm at f/1.8, waist up, beams converging behind",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#050a0a", "#1a0a2a"], motif: "stripes", motifColour: "#3aff6a",
    light: { x: 0.5, y: 0.3, colour: "#b46bff" }, grade: { brightness: 0.95, saturation: 1.35, hue: -10 }, grain: 0.08, vignette: 0.55,
  }),
  scene("creative-paper-set", { en: "Paper sculpture set", ru: "Декорации из бумаги" }, {
    wardrobe: "a pastel outfit",
    setting: "among huge folded paper sculptures in candy colours",
    light: "soft studio light with gentle coloured shadows",
    camera: "50 mm at f/5.6, three-quarter length, playful pose",
  }, {
    framing: "wide", subjectX: 0.5, sky: ["#ffd6e0", "#c8f0e8"], motif: "arches", motifColour: "#ff9ab8",
    light: { x: 0.3, y: 0.1, colour: "#fffaf0" }, grade: { brightness: 1.06, saturation: 1.2, hue: 0 }, grain: 0.03, vignette: 0.15,
  }),
  scene("creative-cinematic-diner", { en: "Cinematic still", ru: "Кадр из фильма" }, {
    wardrobe: "a vintage leather jacket",
    setting: "in a booth of a neon-lit roadside diner at night",
    light: "teal-and-orange cinematic grade, neon from the window, warm practical lights inside",
    camera: "40 mm anamorphic look with soft lens flares, chest up, a film-still composition",
  }, {
    framing: "medium", subjectX: 0.4, sky: ["#0a3a4a", "#f08a3a"], motif: "awning", motifColour: "#c8423a",
    light: { x: 0.8, y: 0.3, colour: "#ffa050" }, grade: { brightness: 0.98, saturation: 1.25, hue: -8, tint: [220, 240, 255] }, grain: 0.1, vignette: 0.5,
  }),
  scene("creative-gold-glitter", { en: "Gold glitter", ru: "Золотые блёстки" }, {
    wardrobe: "a black top, specks of gold glitter on the cheekbones",
    setting: "against a black backdrop with gold glitter falling through the light",
    light: "hard beauty light making the glitter sparkle",
    camera: "100 mm at f/4, tight beauty close-up",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#050505", "#1a1408"], motif: "bokeh", motifColour: "#ffc83a",
    light: { x: 0.5, y: 0.2, colour: "#ffe0a0" }, grade: { brightness: 0.98, saturation: 1.25, hue: 6 }, grain: 0.05, vignette: 0.55,
  }),
  scene("creative-shadow-play", { en: "Play of shadows", ru: "Игра теней" }, {
    wardrobe: "a crisp white shirt",
    setting: "against a terracotta wall, striped shadows of a window grille falling across the face and wall",
    light: "hard low sun through the grille, bold graphic shadows",
    camera: "50 mm at f/5.6, head and shoulders, eyes lit by a stripe of light",
  }, {
    framing: "close", subjectX: 0.5, sky: ["#c45a2a", "#e07a4a"], motif: "stripes", motifColour: "#5a2010",
    light: { x: 0.8, y: 0.3, colour: "#ffd08a" }, grade: { brightness: 1.02, saturation: 1.25, hue: 8 }, grain: 0.05, vignette: 0.35,
  }),
  scene("creative-underwater-dream", { en: "Underwater dream", ru: "Подводный сон" }, {
    wardrobe: "flowing translucent fabric drifting around",
    setting: "suspended underwater in clear turquoise water, a surreal, weightless scene",
    light: "sun rays streaming down through the surface, soft caustics on the skin",
    camera: "35 mm at f/2.8, waist up, hair and fabric floating, calm expression",
  }, {
    framing: "medium", subjectX: 0.5, sky: ["#0a6a8a", "#3ac8d8"], motif: "bokeh", motifColour: "#d8ffff",
    light: { x: 0.5, y: 0.0, colour: "#e0ffff" }, grade: { brightness: 1.02, saturation: 1.25, hue: -10, tint: [210, 245, 255] }, grain: 0.05, vignette: 0.4,
  }),
];

/** Each style's own 23 scenes. */
export const scenesByStyle: Readonly<Record<StyleId, readonly Scene[]>> = { pinglass, professional, lifestyle, creative };

/** Every scene of every style: the offline renderer's fallback when a request names none. */
export const scenes: readonly Scene[] = Object.values(scenesByStyle).flat();

export const sceneById = new Map(scenes.map((s) => [s.id, s]));

export function scenesOf(styleId: StyleId): readonly Scene[] {
  return scenesByStyle[styleId];
}
