import { isMessageKey, translate } from "@pinglass/core";
import type { LocalCheckoutSession } from "@pinglass/payments";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export type CheckoutLanguage = "ru" | "en";

/** Roubles as the web app writes them: "999 ₽", "1 499 ₽" (Russian) or "1,499 ₽" (English), kopecks only when there are any. */
const rub = (kopecks: number, lang: CheckoutLanguage) =>
  `${(kopecks / 100).toLocaleString(lang === "en" ? "en-US" : "ru-RU", { minimumFractionDigits: kopecks % 100 ? 2 : 0, maximumFractionDigits: 2 })}\u00a0₽`;

/** The page's words, from the server's one catalogue. */
const text = (key: string, lang: CheckoutLanguage, params: Record<string, string> = {}) => translate(`checkout.test.${key}`, lang, params);


/** Enough of the receipt address for its owner to recognise it, not enough for anyone else to learn it: "iv***@mail.ru". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const local = at < 0 ? email : email.slice(0, at);
  return `${local.slice(0, Math.min(2, Math.floor(local.length / 2)))}***${at < 0 ? "" : email.slice(at)}`;
}

/**
 * The local test checkout: looks like a bank's card form so the flow feels real, and says plainly
 * that it is a test and no money is charged. There are no card fields to fill: Pay and Decline are
 * the whole choice.
 *
 * It speaks one language at a time: `lang` when the caller knows it (from Accept-Language),
 * otherwise Russian, switched in the browser by the app's `?lang=` or, failing that, the browser's
 * own language. Both languages are in the page; CSS shows the one named by <html lang>.
 *
 * The inline script runs under the answer's CSP nonce (`cspNonce`).
 *
 * `checkout` is a session its signed link opened, with that link's path (the forms post back to
 * it); without one the page says only that there is no such payment.
 */
export function renderTestCheckout(checkout: { session: LocalCheckoutSession; path: string } | undefined, lang: CheckoutLanguage | undefined, cspNonce: string): string {
  const { session, path } = checkout ?? { session: undefined, path: "" };
  const both = (pick: (lang: CheckoutLanguage) => string) => (["ru", "en"] as const).map((l) => `<span data-l="${l}">${escape(pick(l))}</span>`).join("");
  const count = session ? /(\d+)/.exec(session.description)?.[1] : undefined;
  // A UUID means nothing to a buyer; its first block is enough to tell two orders apart.
  const order = session ? session.orderId.replace(/-.*/, "").toUpperCase() : "";

  const body = !session
    ? `<h1>${both((l) => text("notFoundTitle", l))}</h1><p class="muted">${both((l) => text("notFoundText", l))}</p>`
    : session.status !== "NEW"
      ? `<h1>${both((l) => (isMessageKey(`checkout.test.status.${session.status}`) ? text(`status.${session.status}`, l) : session.status))}</h1>
         <p class="amount">${both((l) => rub(session.amount, l))}</p>
         <a class="button pay" href="${escape(session.status === "CONFIRMED" ? session.successUrl : session.failUrl)}">${both((l) => text("back", l))}</a>`
      : `<p class="merchant">PinGlass</p>
         <p class="amount">${both((l) => rub(session.amount, l))}</p>
         <p class="muted">${count ? both((l) => text("photoshoot", l, { count })) : escape(session.description)}</p>
         <div class="card" aria-hidden="true">
           <div class="chip"></div>
           <div class="number">4300 0000 0000 0777</div>
           <div class="row">${both((l) => text("card", l))}<span>12/30</span></div>
         </div>
         <p class="muted small receipt">${both((l) => text("receipt", l))} <b>${escape(maskEmail(session.email))}</b></p>
         <form method="post" action="${escape(path)}/pay">
           <button class="button pay" type="submit">${both((l) => text("pay", l, { amount: rub(session.amount, l) }))}</button>
         </form>
         <form method="post" action="${escape(path)}/decline">
           <button class="button decline" type="submit">${both((l) => text("decline", l))}</button>
         </form>
         <p class="muted small">${both((l) => text("order", l, { number: order }))}</p>`;

  const initial = lang ?? "ru";
  return `<!doctype html>
<html lang="${initial}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#1d1f2b">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<title>${escape(text("title", initial))}</title>
<script nonce="${escape(cspNonce)}">
  (function () {
    var asked = new URLSearchParams(location.search).get("lang");
    var browser = ${lang ? "null" : "(navigator.language || '').slice(0, 2).toLowerCase()"};
    var lang = asked === "en" || asked === "ru" ? asked : browser === "en" ? "en" : null;
    if (!lang) return;
    document.documentElement.lang = lang;
    document.title = ${JSON.stringify({ ru: text("title", "ru"), en: text("title", "en") })}[lang];
  })();
</script>
<style>
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; -webkit-text-size-adjust: 100%; }
  :root[lang="ru"] [data-l="en"], :root[lang="en"] [data-l="ru"] { display: none; }
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; min-height: 100dvh; display: grid; place-items: center; padding: 16px 12px; background: radial-gradient(120% 80% at 50% 0%, #3a2f5b, #1d1f2b 70%); }
  main { width: 100%; max-width: 420px; background: #fff; color: #1d1d22; border-radius: 22px; padding: 24px 20px 18px; box-shadow: 0 24px 70px rgba(0, 0, 0, .4); text-align: center; }
  h1 { font-size: 22px; margin: 6px 0 10px; }
  .banner { display: flex; gap: 10px; align-items: flex-start; text-align: left; background: #fff6d6; color: #5c4300; border: 1px solid #f0d27a; border-radius: 14px; padding: 10px 12px; font-size: 14px; line-height: 1.4; margin-bottom: 18px; }
  .banner-icon { flex: none; width: 22px; height: 22px; border-radius: 50%; background: #f0c433; color: #3b2b00; display: grid; place-items: center; font-weight: 800; font-size: 14px; }
  .banner strong { display: block; font-size: 13px; letter-spacing: .06em; }
  .merchant { margin: 0; font-weight: 600; color: #555; }
  .amount { font-size: 36px; font-weight: 750; letter-spacing: -0.02em; margin: 4px 0; }
  .muted { color: #5f5f68; margin: 6px 0; }
  .small { font-size: 13px; }
  .receipt b { color: #2b2b31; font-weight: 600; overflow-wrap: anywhere; }
  .card { margin: 18px auto; max-width: 340px; aspect-ratio: 1.586; border-radius: 16px; padding: 18px; color: #222; text-align: left; background: linear-gradient(135deg, #ffe35a, #f7a600); display: flex; flex-direction: column; justify-content: space-between; box-shadow: 0 10px 24px rgba(247, 166, 0, .3); }
  .chip { width: 38px; height: 28px; border-radius: 6px; background: rgba(255, 255, 255, .65); }
  .number { font-size: clamp(16px, 5.2vw, 20px); letter-spacing: 2px; font-family: ui-monospace, "SFMono-Regular", monospace; white-space: nowrap; }
  .row { display: flex; justify-content: space-between; font-size: 13px; }
  form { margin: 10px 0; }
  .button { display: block; width: 100%; border: 0; border-radius: 14px; padding: 15px; font: inherit; font-size: 16px; font-weight: 650; cursor: pointer; text-decoration: none; }
  .button:focus-visible { outline: 3px solid #2b62d9; outline-offset: 2px; }
  .pay { background: #ffdd2d; color: #1d1d22; }
  .pay:hover { background: #ffd20a; }
  .decline { background: #f0f0f3; color: #33333a; }
  .decline:hover { background: #e6e6ea; }
</style>
</head>
<body>
<main>
  <div class="banner" role="note"><span class="banner-icon" aria-hidden="true">!</span><div><strong>${both((l) => text("bannerTitle", l))}</strong>${both((l) => text("bannerText", l))}</div></div>
  ${body}
</main>
</body>
</html>`;
}
