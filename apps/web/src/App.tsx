import { lazy, Suspense, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { takeAccountDeletedNote } from "./lib/deleted.ts";
import { onboardingSeen } from "./lib/onboarding.ts";
import { matchRoute, navigate, paths, type Route, usePath } from "./lib/router.ts";
import { telegramWebApp } from "./lib/telegram.ts";
import { useScreenFocus } from "./lib/useScreenFocus.ts";
import { AvatarsScreen } from "./screens/AvatarsScreen.tsx";
import { Onboarding } from "./screens/Onboarding.tsx";
import { LanguageSwitch } from "./ui/LanguageSwitch.tsx";
import { Link } from "./ui/Link.tsx";
import { ErrorState, Loading } from "./ui/states.tsx";
import { useSession } from "./useSession.ts";

// The dashboard ships in the first bundle; every other screen loads when first opened.
const UploadScreen = lazy(() => import("./screens/UploadScreen.tsx"));
const StyleScreen = lazy(() => import("./screens/StyleScreen.tsx"));
const TierScreen = lazy(() => import("./screens/TierScreen.tsx"));
const PaymentReturnScreen = lazy(() => import("./screens/PaymentReturnScreen.tsx"));
const GenerationScreen = lazy(() => import("./screens/GenerationScreen.tsx"));
const GalleryScreen = lazy(() => import("./screens/GalleryScreen.tsx"));
const AccountScreen = lazy(() => import("./screens/AccountScreen.tsx"));
// The operators' console: its own chunk, fetched only when /admin is opened.
const AdminConsole = lazy(() => import("./admin/AdminConsole.tsx"));

export function App() {
  const { t } = useTranslation();
  const session = useSession();
  const path = usePath();
  const route = matchRoute(path);
  const [onboarded, setOnboarded] = useState(onboardingSeen);
  const [deleted, setDeleted] = useState(takeAccountDeletedNote);
  useTelegramBackButton(route);
  useScreenFocus(path);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t("common.skip")}
      </a>
      <header className="topbar">
        <Link className="logo" to={paths.home()}>
          <span className="logo-mark" aria-hidden="true" />
          {t("app.name")}
        </Link>
        <nav className="topbar-nav" aria-label={t("nav.label")}>
          <LanguageSwitch />
          <Link
            className={`nav-link${route.name === "account" ? " nav-link-on" : ""}`}
            to={paths.account()}
            aria-current={route.name === "account" ? "page" : undefined}
            data-testid="nav-account"
          >
            {t("nav.account")}
          </Link>
        </nav>
      </header>
      <main id="main" className="content">
        {deleted && (
          <div className="banner banner-done" role="status" data-testid="account-deleted">
            <div>
              <strong>{t("deleted.title")}</strong>
              <p>{t("deleted.text")}</p>
            </div>
            <button type="button" className="button button-small" onClick={() => setDeleted(false)}>
              {t("common.close")}
            </button>
          </div>
        )}
        {!onboarded && route.name === "home" ? (
          <Onboarding onDone={() => setOnboarded(true)} />
        ) : session.status === "pending" ? (
          <Loading label={t("common.signingIn")} />
        ) : session.status === "error" ? (
          <ErrorState title={t("common.signInFailed")} error={session.error} onRetry={session.retry} />
        ) : (
          <Suspense fallback={<Loading />}>
            <Screen route={route} />
          </Suspense>
        )}
      </main>
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  const { t } = useTranslation();
  switch (route.name) {
    case "home":
      return <AvatarsScreen />;
    case "upload":
      return <UploadScreen key={route.avatarId} avatarId={route.avatarId} />;
    case "style":
      return <StyleScreen key={route.avatarId} avatarId={route.avatarId} />;
    case "tier":
      return <TierScreen key={route.avatarId} avatarId={route.avatarId} styleId={route.styleId} tierId={route.tierId} />;
    case "payment":
      return <PaymentReturnScreen paymentId={route.paymentId} />;
    case "generation":
      return <GenerationScreen key={route.avatarId} avatarId={route.avatarId} />;
    case "gallery":
      return <GalleryScreen key={route.avatarId} avatarId={route.avatarId} />;
    case "account":
      return <AccountScreen />;
    case "admin":
      return <AdminConsole section={route.section} />;
    case "notFound":
      return (
        <section className="panel panel-neutral">
          <h1>{t("notFound.title")}</h1>
          <p>{t("notFound.text")}</p>
          <button type="button" className="button button-primary" onClick={() => navigate(paths.home())}>
            {t("common.toHome")}
          </button>
        </section>
      );
  }
}

/** Inside Telegram, its Back button replaces the browser's: shown everywhere but the dashboard. */
function useTelegramBackButton(route: Route) {
  const atHome = route.name === "home";
  useEffect(() => {
    const back = telegramWebApp()?.BackButton;
    if (!back) return;
    if (atHome) {
      back.hide();
      return;
    }
    const goBack = () => (window.history.length > 1 ? window.history.back() : navigate(paths.home()));
    back.onClick(goBack);
    back.show();
    return () => back.offClick(goBack);
  }, [atHome]);
}
