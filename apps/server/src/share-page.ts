import type { IncomingMessage } from "node:http";
import type { ApiDeps } from "@pinglass/api";
import { pickLocale } from "@pinglass/core";
import { sceneById } from "@pinglass/generation";
import { openSharedPhoto, shareRoutePrefix } from "@pinglass/media";
import type { Area } from "./area.ts";
import type { Route } from "./http/router.ts";

type Language = "ru" | "en";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const texts = {
  ru: {
    title: "Портрет из PinGlass",
    description: "AI-портрет по селфи. Сделайте свою фотосессию за несколько минут.",
    alt: (scene: string | null) => (scene ? `Портрет: ${scene}` : "Портрет из PinGlass"),
    until: (date: string) => `Ссылка действует до ${date}.`,
    demo: "Это демо-превью: сервер нарисовал его сам, без нейросети.",
    cta: "Сделать свои портреты",
    goneTitle: "Ссылка не работает",
    goneText: "Срок ссылки истёк, или автор закрыл доступ к фото.",
  },
  en: {
    title: "A portrait from PinGlass",
    description: "An AI portrait made from selfies. Get your own photoshoot in a few minutes.",
    alt: (scene: string | null) => (scene ? `Portrait: ${scene}` : "A portrait from PinGlass"),
    until: (date: string) => `This link works until ${date}.`,
    demo: "This is a demo preview: the server drew it by itself, without an AI model.",
    cta: "Make your own portraits",
    goneTitle: "This link does not work",
    goneText: "It has expired, or its owner stopped sharing the photo.",
  },
};

function languageOf(req: IncomingMessage, url: URL): Language {
  const asked = url.searchParams.get("lang");
  if (asked === "ru" || asked === "en") return asked;
  const header = req.headers["accept-language"];
  return pickLocale(Array.isArray(header) ? header[0] : header);
}

const page = (lang: Language, head: string, body: string) => `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#0e0e13">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
${head}
<style>
  :root { color-scheme: dark; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; -webkit-text-size-adjust: 100%; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; min-height: 100dvh; background: #0e0e13; color: #f5f2ec; display: flex; flex-direction: column; align-items: center; gap: 16px; padding: 18px 16px 28px; }
  header { width: 100%; max-width: 720px; font-weight: 800; font-size: 20px; letter-spacing: -0.03em; }
  main { width: 100%; max-width: 720px; display: flex; flex-direction: column; align-items: center; gap: 14px; text-align: center; }
  img { display: block; max-width: 100%; max-height: 78vh; border-radius: 16px; box-shadow: 0 20px 60px rgba(0, 0, 0, 0.5); }
  h1 { font-size: 22px; margin: 4px 0 0; }
  p { margin: 0; color: #a9a5b8; max-width: 52ch; line-height: 1.5; }
  .note { color: #f5f2ec; background: rgba(139, 108, 240, 0.18); border-radius: 12px; padding: 8px 14px; font-size: 14px; }
  a.cta { display: inline-block; margin-top: 6px; background: #e9bb72; color: #1b1408; text-decoration: none; font-weight: 650; padding: 14px 22px; border-radius: 14px; }
  a.cta:focus-visible { outline: 2px solid #e9bb72; outline-offset: 3px; }
</style>
</head>
<body>
<header>PinGlass</header>
<main>
${body}
</main>
</body>
</html>`;

/** The share page's area: one route, no loops. */
export function sharePageArea(): Area {
  return { parts: (deps) => ({ routes: sharePageRoutes(deps), loops: [] }) };
}

/**
 * GET /s/<token>: the share page of one photo (issue #16), for whoever has the link, 30 days or
 * until its owner revokes it. Open Graph tags give chats and social networks their preview; the
 * photo itself comes through a signed media link (the page is made on each visit, so the link is
 * always fresh). An unknown, expired or revoked link gets the same 404 page, telling nothing more.
 */
function sharePageRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      path: shareRoutePrefix,
      handler: async (req, res, url) => {
        const lang = languageOf(req, url);
        const t = texts[lang];
        const token = url.pathname.slice(shareRoutePrefix.length);
        const shared = await openSharedPhoto(deps.db, deps.media, deps.clock, token);
        const home = deps.media.publicBaseUrl.replace(/\/$/, "");
        // The token is the key to the photo: it leaves in no Referer header, and no cache keeps the page past a revocation.
        const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer", "x-robots-tag": "noindex, nofollow" };
        if (!shared) {
          res.writeHead(404, headers);
          res.end(page(lang, `<title>${escape(t.goneTitle)} — PinGlass</title>`, `<h1>${escape(t.goneTitle)}</h1><p>${escape(t.goneText)}</p><a class="cta" href="${escape(home)}/">${escape(t.cta)}</a>`));
          return;
        }
        const scene = shared.sceneId ? (sceneById.get(shared.sceneId)?.name[lang] ?? null) : null;
        const until = shared.expiresAt.toLocaleDateString(lang === "en" ? "en-GB" : "ru-RU", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
        const image = escape(shared.imageUrl);
        const head = [
          `<title>${escape(t.title)}</title>`,
          `<meta name="description" content="${escape(t.description)}">`,
          `<meta property="og:type" content="website">`,
          `<meta property="og:site_name" content="PinGlass">`,
          `<meta property="og:title" content="${escape(t.title)}">`,
          `<meta property="og:description" content="${escape(t.description)}">`,
          `<meta property="og:url" content="${escape(`${home}${shareRoutePrefix}${token}`)}">`,
          `<meta property="og:image" content="${image}">`,
          `<meta property="og:image:alt" content="${escape(t.alt(scene))}">`,
          `<meta property="og:locale" content="${lang === "en" ? "en_GB" : "ru_RU"}">`,
          `<meta name="twitter:card" content="summary_large_image">`,
        ].join("\n");
        const body = [
          `<img src="${image}" alt="${escape(t.alt(scene))}" data-testid="shared-photo">`,
          scene ? `<h1>${escape(scene)}</h1>` : `<h1>${escape(t.title)}</h1>`,
          deps.generation.provider.offline ? `<p class="note">${escape(t.demo)}</p>` : "",
          `<p>${escape(t.until(until))}</p>`,
          `<a class="cta" href="${escape(home)}/">${escape(t.cta)}</a>`,
        ].join("\n");
        res.writeHead(200, headers);
        res.end(page(lang, head, body));
      },
    },
  ];
}
