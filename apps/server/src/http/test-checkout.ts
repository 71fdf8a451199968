import type { LocalCheckoutSession } from "@pinglass/payments";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const rub = (kopecks: number) => `${(kopecks / 100).toLocaleString("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ₽`;

const statusText: Record<string, string> = {
  CONFIRMED: "Оплачено · Paid",
  REJECTED: "Отклонено · Declined",
  CANCELED: "Отменено · Canceled",
  REFUNDED: "Возвращено · Refunded",
  PARTIAL_REFUNDED: "Частично возвращено · Partly refunded",
};

/**
 * The local test checkout: looks like a bank's card form so the flow feels real, and says
 * plainly, in Russian and English, that it is a test and no money is charged. There are no card
 * fields to fill: Pay and Decline are the whole choice.
 */
export function renderTestCheckout(session: LocalCheckoutSession | undefined): string {
  const body = !session
    ? `<h1>Платёж не найден</h1><p class="muted">Payment not found. Test sessions live until the server restarts — start the payment again in the app.</p>`
    : session.status !== "NEW"
      ? `<h1>${escape(statusText[session.status] ?? session.status)}</h1>
         <p class="amount">${rub(session.amount)}</p>
         <a class="button pay" href="${escape(session.status === "CONFIRMED" ? session.successUrl : session.failUrl)}">Вернуться в PinGlass · Back to PinGlass</a>`
      : `<p class="merchant">PinGlass</p>
         <p class="amount">${rub(session.amount)}</p>
         <p class="muted">${escape(session.description)}</p>
         <div class="card" aria-hidden="true">
           <div class="chip"></div>
           <div class="number">4300 0000 0000 0777</div>
           <div class="row"><span>TEST CARD</span><span>12/30</span></div>
         </div>
         <p class="muted small">Чек придёт на · Receipt to: ${escape(session.email)}</p>
         <form method="post" action="/checkout/test/${escape(session.paymentId)}/pay">
           <button class="button pay" type="submit">Оплатить ${rub(session.amount)} · Pay</button>
         </form>
         <form method="post" action="/checkout/test/${escape(session.paymentId)}/decline">
           <button class="button decline" type="submit">Отклонить · Decline</button>
         </form>
         <p class="muted small">Заказ · Order ${escape(session.orderId)}</p>`;

  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Тестовая оплата · Test payment — PinGlass</title>
<style>
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: linear-gradient(160deg, #1d1f2b, #3a2f5b); }
  main { width: min(420px, 92vw); background: #fff; border-radius: 20px; padding: 28px 24px; box-shadow: 0 20px 60px rgba(0,0,0,.35); text-align: center; }
  .banner { background: #fff3cd; color: #6b4e00; border: 1px solid #f0d27a; border-radius: 12px; padding: 10px 12px; font-size: 14px; margin-bottom: 18px; }
  .banner strong { display: block; font-size: 15px; }
  .merchant { margin: 0; font-weight: 600; color: #555; }
  .amount { font-size: 34px; font-weight: 700; margin: 6px 0; }
  .muted { color: #666; margin: 6px 0; }
  .small { font-size: 13px; }
  .card { margin: 18px auto; height: 150px; border-radius: 16px; padding: 18px; color: #fff; text-align: left; background: linear-gradient(135deg, #ffdd2d, #f7a600); box-sizing: border-box; display: flex; flex-direction: column; justify-content: space-between; }
  .chip { width: 38px; height: 28px; border-radius: 6px; background: rgba(255,255,255,.6); }
  .number { font-size: 20px; letter-spacing: 2px; color: #222; font-family: ui-monospace, monospace; }
  .row { display: flex; justify-content: space-between; color: #222; font-size: 13px; }
  form { margin: 10px 0; }
  .button { display: block; width: 100%; box-sizing: border-box; border: 0; border-radius: 12px; padding: 14px; font-size: 16px; font-weight: 600; cursor: pointer; text-decoration: none; }
  .pay { background: #ffdd2d; color: #222; }
  .decline { background: #eee; color: #333; }
</style>
</head>
<body>
<main>
  <div class="banner" role="note"><strong>ТЕСТОВАЯ ОПЛАТА · TEST PAYMENT</strong>Деньги не списываются: это локальная проверка без банка. No money is charged: this is a local test without a bank.</div>
  ${body}
</main>
</body>
</html>`;
}
